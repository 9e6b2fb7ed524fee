"""What validate.py checks: the invariants (SQL, both engines), the realism report (measured against
configured) and the late changes (ages against the sigmoid, rates per kind), as one verdict."""
