//! What the gateway bot and the HTTP endpoint share: the interaction JSON and
//! the response to it ([`interaction`]), the registered commands
//! ([`commands`]), the REST client and its retry ([`rest`]), one deferral
//! policy ([`deferral`]), failures with an id ([`failure`]) and graceful
//! shutdown ([`shutdown`]). The gateway adapter (`discord`) and the endpoint
//! (`http`) import this, never each other.

pub mod commands;
pub mod deferral;
pub mod failure;
pub mod interaction;
pub mod rest;
pub mod shutdown;
