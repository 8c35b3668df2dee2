#![no_main]
//! Offline bundle manifests: `exchange::bundle::verify`, the function `meridian bundle import`
//! calls. The input is the manifest; it is signed here with a fixed key so that fuzzing
//! reaches the manifest's parsing behind the signature check. The first byte chooses the
//! bundle bytes the hash is checked against, and, when odd, the rest of the input is instead
//! split into signature and public key text (`\n`) to fuzz their decoding.

use libfuzzer_sys::fuzz_target;

/// A fixed test key (not a secret of anything).
const KEY: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, manifest)) = data.split_first() else {
        return;
    };
    let bundle: &[u8] = if mode & 2 == 0 { b"" } else { b"{}" };
    if mode & 1 == 1 {
        let f = meridian_fuzz::fields(manifest, 2);
        let signature = f.first().map(String::as_str).unwrap_or("");
        let public = f.get(1).map(String::as_str).unwrap_or("");
        assert!(exchange::bundle::verify(bundle, b"{}", signature, public).is_err());
        return;
    }
    let public = exchange::bundle::public_key(KEY).expect("a valid key");
    // Sign the fuzzed manifest bytes themselves: the signature is what `sign` would make.
    let signature = sign_bytes(manifest);
    if let Ok(m) = exchange::bundle::verify(bundle, manifest, &signature, &public) {
        assert_eq!(m.format, exchange::bundle::FORMAT);
    }
});

fn sign_bytes(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use ed25519_dalek::{Signer as _, SigningKey};
    let mut secret = [0; 32];
    hex::decode_to_slice(KEY, &mut secret).expect("hex");
    base64::engine::general_purpose::STANDARD
        .encode(SigningKey::from_bytes(&secret).sign(bytes).to_bytes())
}
