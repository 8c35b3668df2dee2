//! The synthetic demo world: deterministic from a seed, streaming, from 2,000 to millions of assets. Names are marked synthetic.
