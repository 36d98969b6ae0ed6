//! Discord's request signature: Ed25519 over `X-Signature-Timestamp` bytes
//! followed by the raw body, checked before anything else is read.

use axum::http::HeaderMap;
use ed25519_dalek::{Signature, VerifyingKey};

pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";

/// Why a request was refused with 401. The texts are safe to send back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    MissingSignature,
    MalformedSignature,
    MissingTimestamp,
    BadSignature,
    MalformedTimestamp,
    Stale,
    Future,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::MissingSignature => "missing X-Signature-Ed25519",
            Refusal::MalformedSignature => "X-Signature-Ed25519 is not 64 bytes of hex",
            Refusal::MissingTimestamp => "missing X-Signature-Timestamp",
            Refusal::BadSignature => "invalid request signature",
            Refusal::MalformedTimestamp => "X-Signature-Timestamp is not unix seconds",
            Refusal::Stale => "X-Signature-Timestamp is too old",
            Refusal::Future => "X-Signature-Timestamp is in the future",
        }
    }
}

/// The two signature headers, checked for shape only.
pub struct Signed<'a> {
    signature: Signature,
    timestamp: &'a [u8],
}

impl<'a> Signed<'a> {
    pub fn from_headers(headers: &'a HeaderMap) -> Result<Signed<'a>, Refusal> {
        let sig = headers
            .get(SIGNATURE_HEADER)
            .ok_or(Refusal::MissingSignature)?;
        let timestamp = headers
            .get(TIMESTAMP_HEADER)
            .ok_or(Refusal::MissingTimestamp)?
            .as_bytes();
        let mut raw = [0u8; Signature::BYTE_SIZE];
        hex::decode_to_slice(sig.as_bytes().trim_ascii(), &mut raw)
            .map_err(|_| Refusal::MalformedSignature)?;
        Ok(Signed {
            signature: Signature::from_bytes(&raw),
            timestamp,
        })
    }

    /// The signature's 64 bytes: for a body without an id, what identifies
    /// it (Ed25519 signatures checked strictly cannot be altered and still pass).
    pub fn signature_bytes(&self) -> [u8; Signature::BYTE_SIZE] {
        self.signature.to_bytes()
    }

    /// Checks the signature over `timestamp ++ body`, then that the timestamp
    /// lies within `max_age_secs` in the past and `max_skew_secs` in the future.
    pub fn verify(
        &self,
        key: &VerifyingKey,
        body: &[u8],
        now_secs: u64,
        max_age_secs: u64,
        max_skew_secs: u64,
    ) -> Result<(), Refusal> {
        let mut message = Vec::with_capacity(self.timestamp.len() + body.len());
        message.extend_from_slice(self.timestamp);
        message.extend_from_slice(body);
        key.verify_strict(&message, &self.signature)
            .map_err(|_| Refusal::BadSignature)?;
        let ts = std::str::from_utf8(self.timestamp)
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(Refusal::MalformedTimestamp)?;
        if ts < now_secs.saturating_sub(max_age_secs) {
            return Err(Refusal::Stale);
        }
        if ts > now_secs.saturating_add(max_skew_secs) {
            return Err(Refusal::Future);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn headers(sig: &str, ts: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(SIGNATURE_HEADER, sig.parse().unwrap());
        h.insert(TIMESTAMP_HEADER, ts.parse().unwrap());
        h
    }

    #[test]
    fn signature_and_window() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let public = key.verifying_key();
        let sig = |ts: &str, body: &[u8]| {
            let mut m = ts.as_bytes().to_vec();
            m.extend_from_slice(body);
            hex::encode(key.sign(&m).to_bytes())
        };
        let now = 1_700_000_000;
        let check = |h: &HeaderMap, body: &[u8]| {
            Signed::from_headers(h).and_then(|s| s.verify(&public, body, now, 300, 60))
        };
        let ok = headers(&sig("1700000000", b"{}"), "1700000000");
        assert_eq!(check(&ok, b"{}"), Ok(()));
        assert_eq!(check(&ok, b"{} "), Err(Refusal::BadSignature));
        let old = headers(&sig("1699999000", b"{}"), "1699999000");
        assert_eq!(check(&old, b"{}"), Err(Refusal::Stale));
        let future = headers(&sig("1700000100", b"{}"), "1700000100");
        assert_eq!(check(&future, b"{}"), Err(Refusal::Future));
        let words = headers(&sig("soon", b"{}"), "soon");
        assert_eq!(check(&words, b"{}"), Err(Refusal::MalformedTimestamp));
        let short = headers("abcd", "1700000000");
        assert_eq!(
            check(&short, b"{}").unwrap_err(),
            Refusal::MalformedSignature
        );
        let mut missing = ok.clone();
        missing.remove(TIMESTAMP_HEADER);
        assert_eq!(check(&missing, b"{}"), Err(Refusal::MissingTimestamp));
    }
}
