//! The hub through a real server on 127.0.0.1, on SQLite and PostgreSQL: one integration
//! binary, a module per surface.

mod admin;
mod analysis;
mod api;
mod audit;
mod common;
mod csaf;
mod disclosure;
mod hardening;
mod intel;
mod jobs;
mod red;
mod register;
mod rest;
mod scenarios;
mod taxii;
mod web;
