//! The bus thread: owns the port, runs polling rounds (keypads, then evaluators), reopens a
//! vanished port every 10 s, publishes health after every round.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serialport::SerialPort;

use super::evaluator::{Evaluator, Prompt, evaluator_address};
use super::health::BusHealth;
use super::keypad::{Keypad, PortLost};
use super::link::{Master, open_port};
use super::{BusActions, BusError};
use crate::config::bus::BusConfig;
use crate::protocol::modbus::MAX_ADDRESS;

/// What the handle and the thread share.
pub struct Shared {
    pub state: Mutex<State>,
    pub wake: Condvar,
}

pub struct State {
    pub displays: HashMap<u16, String>,
    /// What each evaluator window should do (absent: idle).
    pub prompts: HashMap<u16, Prompt>,
    pub stop: bool,
    /// Something changed (display text, prompt): run a round now.
    pub woken: bool,
    pub health: BusHealth,
}

impl Shared {
    pub fn new(config: &BusConfig) -> Shared {
        Shared {
            state: Mutex::new(State {
                displays: HashMap::new(),
                prompts: HashMap::new(),
                stop: false,
                woken: false,
                health: BusHealth {
                    name: config.name.clone(),
                    port: config.port.display().to_string(),
                    online: false,
                    port_error: None,
                    rounds: 0,
                    last_round_us: 0,
                    stray_frames: 0,
                    devices: Vec::new(),
                },
            }),
            wake: Condvar::new(),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub struct Worker {
    pub config: BusConfig,
    pub shared: Arc<Shared>,
    pub actions: BusActions,
    pub keypads: Vec<Keypad>,
    pub evaluators: Vec<Evaluator>,
    pub master: Option<Master>,
    pub port_error: Option<String>,
    rounds: u64,
    last_round: Duration,
    next_open: Instant,
    /// Stray frames counted by earlier masters (before a reopen).
    stray_before: u64,
}

/// The keypads of `config`, address = window.
pub fn keypads(config: &BusConfig) -> Result<Vec<Keypad>, BusError> {
    config
        .keypads
        .iter()
        .map(|&window| match u8::try_from(window) {
            Ok(address) if (1..=MAX_ADDRESS).contains(&address) => {
                Ok(Keypad::new(window, address, reprobe(config)))
            }
            _ => Err(BusError::Address {
                name: config.name.clone(),
                window,
            }),
        })
        .collect()
}

/// The evaluators of `config`, address = 100 + window.
pub fn evaluators(config: &BusConfig) -> Result<Vec<Evaluator>, BusError> {
    config
        .evaluators
        .iter()
        .map(|&window| match evaluator_address(window) {
            Some(address) => Ok(Evaluator::new(window, address, reprobe(config))),
            None => Err(BusError::EvaluatorAddress {
                name: config.name.clone(),
                window,
            }),
        })
        .collect()
}

impl Worker {
    pub fn new(
        config: BusConfig,
        shared: Arc<Shared>,
        actions: BusActions,
        (keypads, evaluators): (Vec<Keypad>, Vec<Evaluator>),
        port: Result<Box<dyn SerialPort>, String>,
    ) -> Worker {
        let (master, port_error) = match port {
            Ok(port) => (Some(Master::new(port, config.baud, timeout(&config))), None),
            Err(e) => (None, Some(format!("cannot open: {e}"))),
        };
        let next_open = if master.is_some() {
            Instant::now()
        } else {
            Instant::now() + reprobe(&config)
        };
        let worker = Worker {
            config,
            shared,
            actions,
            keypads,
            evaluators,
            master,
            port_error,
            rounds: 0,
            last_round: Duration::ZERO,
            next_open,
            stray_before: 0,
        };
        worker.publish();
        worker
    }

    pub fn run(mut self) {
        tracing::info!(
            bus = %self.config.name,
            port = %self.config.port.display(),
            keypads = ?self.config.keypads,
            evaluators = ?self.config.evaluators,
            "bus started"
        );
        loop {
            if self.shared.lock().stop {
                break;
            }
            self.reopen_if_due();
            if self.master.is_some() {
                self.round();
            }
            self.publish();
            self.pause();
        }
        tracing::info!(bus = %self.config.name, "bus stopped");
    }

    fn reopen_if_due(&mut self) {
        if self.master.is_some() || Instant::now() < self.next_open {
            return;
        }
        match open_port(&self.config.port, self.config.baud, self.config.parity) {
            Ok(port) => {
                tracing::info!(bus = %self.config.name, "bus port reopened");
                self.master = Some(Master::new(port, self.config.baud, timeout(&self.config)));
                self.port_error = None;
            }
            Err(e) => {
                self.port_error = Some(format!("cannot open: {e}"));
                self.next_open = Instant::now() + reprobe(&self.config);
            }
        }
    }

    fn round(&mut self) {
        let Some(master) = self.master.as_mut() else {
            return;
        };
        let started = Instant::now();
        let (displays, prompts) = {
            let state = self.shared.lock();
            (state.displays.clone(), state.prompts.clone())
        };
        let mut lost = None;
        for keypad in &mut self.keypads {
            let wanted = displays.get(&keypad.window()).map(String::as_str);
            if let Err(PortLost(e)) = keypad.poll(master, self.actions.keypads.as_ref(), wanted) {
                lost = Some(e);
                break;
            }
        }
        if lost.is_none() {
            for evaluator in &mut self.evaluators {
                let wanted = prompts
                    .get(&evaluator.window())
                    .copied()
                    .unwrap_or_default();
                let actions = self.actions.evaluators.as_ref();
                let timeout_s = self.actions.rating_timeout_s;
                if let Err(PortLost(e)) = evaluator.poll(master, actions, wanted, timeout_s) {
                    lost = Some(e);
                    break;
                }
            }
        }
        self.rounds += 1;
        self.last_round = started.elapsed();
        if let Some(e) = lost {
            tracing::warn!(bus = %self.config.name, error = %e, "bus port lost; reopening it every reprobe_ms");
            self.stray_before += master.stray_frames();
            self.master = None;
            self.port_error = Some(format!("port lost: {e}"));
            self.next_open = Instant::now() + reprobe(&self.config);
            let now = Instant::now();
            for keypad in &mut self.keypads {
                keypad.stats.port_lost(now);
                keypad.forget();
            }
            for evaluator in &mut self.evaluators {
                evaluator.stats.port_lost(now);
                evaluator.forget();
            }
        }
    }

    fn publish(&self) {
        let devices = self
            .keypads
            .iter()
            .map(|k| k.stats.health())
            .chain(self.evaluators.iter().map(|e| e.stats.health()))
            .collect();
        let stray = self.stray_before + self.master.as_ref().map_or(0, Master::stray_frames);
        let mut state = self.shared.lock();
        let h = &mut state.health;
        h.online = self.master.is_some();
        h.port_error = self.port_error.clone();
        h.rounds = self.rounds;
        h.last_round_us = self.last_round.as_micros() as u64;
        h.stray_frames = stray;
        h.devices = devices;
    }

    /// Waits until `poll_ms` after the last round began (rounds start at a fixed rate, so a
    /// press waits at most one poll interval), or until woken, or the next reopen attempt.
    fn pause(&self) {
        let mut wait = Duration::from_millis(self.config.poll_ms).saturating_sub(self.last_round);
        if self.master.is_none() {
            wait = wait.max(self.next_open.saturating_duration_since(Instant::now()));
        }
        let deadline = Instant::now() + wait;
        let mut state = self.shared.lock();
        while !state.stop && !state.woken {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = match self.shared.wake.wait_timeout(state, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        state.woken = false;
    }
}

fn reprobe(config: &BusConfig) -> Duration {
    Duration::from_millis(config.reprobe_ms.max(1))
}

fn timeout(config: &BusConfig) -> Duration {
    Duration::from_millis(config.timeout_ms.max(1))
}
