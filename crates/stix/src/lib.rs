//! STIX 2.1 objects: validation against the OASIS JSON schemas, identity and version of an
//! object, and TLP markings. Pure: no I/O.
