//! The rules with lookup tables: services, windows and staff by id in O(1).

use std::collections::HashMap;

use super::rules::{Rules, ServiceRules, StaffRules, WindowRules};
use super::types::{ServiceId, StaffId, WindowNo};

/// [`Rules`] plus indexes, built once when the engine is created.
#[derive(Clone, Debug)]
pub(crate) struct Catalog {
    pub rules: Rules,
    services: HashMap<ServiceId, usize>,
    windows: HashMap<WindowNo, usize>,
    staff: HashMap<StaffId, usize>,
}

impl Catalog {
    pub fn new(rules: Rules) -> Self {
        let services = rules
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let windows = rules
            .windows
            .iter()
            .enumerate()
            .map(|(i, w)| (w.number, i))
            .collect();
        let staff = rules
            .staff
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        Catalog {
            rules,
            services,
            windows,
            staff,
        }
    }

    pub fn service(&self, id: &ServiceId) -> Option<&ServiceRules> {
        self.services
            .get(id)
            .and_then(|&i| self.rules.services.get(i))
    }

    pub fn window(&self, number: WindowNo) -> Option<&WindowRules> {
        self.windows
            .get(&number)
            .and_then(|&i| self.rules.windows.get(i))
    }

    pub fn staff(&self, id: &StaffId) -> Option<&StaffRules> {
        self.staff.get(id).and_then(|&i| self.rules.staff.get(i))
    }

    /// Whether `staff` (if any) may handle `service`: an empty list allows everything.
    pub fn staff_allows(&self, staff: Option<&StaffId>, service: &ServiceId) -> bool {
        match staff.and_then(|s| self.staff(s)) {
            Some(member) => member.services.is_empty() || member.services.contains(service),
            None => true,
        }
    }

    /// Windows that serve `service`.
    pub fn windows_serving(&self, service: &ServiceId) -> impl Iterator<Item = &WindowRules> {
        self.rules
            .windows
            .iter()
            .filter(move |w| w.services.iter().any(|(s, _)| s == service))
    }
}
