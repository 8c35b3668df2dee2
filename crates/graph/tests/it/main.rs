mod cascade;
mod support;
