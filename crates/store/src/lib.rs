//! Storage behind one type with two backends: SQLite (rusqlite) and PostgreSQL (postgres). Versioned migrations, transactional imports, compact graph load.
