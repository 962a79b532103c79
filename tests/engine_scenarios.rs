//! Engine scenarios: scripts of `(now, command)` with the replies and events they must give.
//! Every command and every rejection the engine can return is exercised here.

#[path = "engine_scenarios/days.rs"]
mod days;
#[path = "engine_scenarios/issuing.rs"]
mod issuing;
#[path = "engine_scenarios/ratings.rs"]
mod ratings;
#[path = "engine_scenarios/support.rs"]
mod support;
#[path = "engine_scenarios/windows.rs"]
mod windows;
