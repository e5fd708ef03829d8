"""Redaktion web console: staff keep FAQ answers, examples and contacts current in the browser.

The YAML files under data/ stay the source of truth; every change is a validated file change
committed to git with the editor's name. Users, sessions and the audit log live in SQL
(SQLite by default, PostgreSQL in the production profile).
"""
