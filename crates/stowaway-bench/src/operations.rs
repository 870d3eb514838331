//! Section 6: image and container sprawl, counted from the engine's info and inventory.

use bollard::models::SystemInfo;

use crate::checklist::Parameters;
use crate::engine::Inventory;
use crate::outcome::{CheckFn, Outcome};

/// Input of the operations checks.
pub(crate) struct OperationsSubject<'a> {
    pub(crate) info: &'a SystemInfo,
    pub(crate) inventory: &'a Inventory,
}

/// Returns the operations checks, in report order.
pub(crate) fn operations_table<'a>() -> [(&'static str, CheckFn<OperationsSubject<'a>>); 2] {
    [("CIS-6.1", image_sprawl), ("CIS-6.2", container_sprawl)]
}

/// Counts the local images and those no container, running or stopped, uses.
fn image_sprawl(subject: &OperationsSubject<'_>, _: &Parameters) -> Outcome {
    let inventory = subject.inventory;
    let unused = inventory
        .images
        .iter()
        .filter(|id| !inventory.used_images.contains(*id))
        .count();
    Outcome::info(format!(
        "{} local images, {unused} of them used by no container",
        inventory.images.len()
    ))
}

fn container_sprawl(subject: &OperationsSubject<'_>, _: &Parameters) -> Outcome {
    let total = subject.info.containers.unwrap_or(0);
    let running = subject.info.containers_running.unwrap_or(0);
    Outcome::info(format!("{running} of {total} containers are running"))
}
