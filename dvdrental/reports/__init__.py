"""Reading a database for people: time series, customer cohorts, growth, stock utilisation, late fees,
the change log summary, headline statistics, the plain-text tables of maintain.py, and the HTML report
with its matplotlib charts. Everything here only reads; it sits above `sim`, `storage`, `config` and
`inventory`, and below the commands and `checks` (which use its series and cohorts).
"""
