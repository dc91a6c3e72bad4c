"""Storage: declarative base, engines (SQLite pragmas, PostgreSQL URLs), units of work, migrations."""
