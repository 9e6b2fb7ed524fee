"""The pure simulation core: state + day + seeded RNG -> events (rows).

Nothing in here touches SQL, files, the terminal or the wall clock. Times are integer seconds since
1970-01-01 (naive, simulated local time); days are integer day numbers on the same epoch.
"""
