//! The in-memory analysis engine: CSR adjacency, cascades, rankings, dominators, Monte Carlo, IIM, percolation. No I/O, no SQL, no async.
