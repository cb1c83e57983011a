//! Hourly wages, the reference wage the worker compares them with, and the daily goal.

use crate::domain::ledger::{Money, Totals};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Milliseconds in an hour.
const HOUR_MS: u64 = 3_600_000;

/// The factor of the reference wage up to which a wage is "near" it (orange), as TurkerView draws it.
pub const NEAR_FACTOR: Decimal = Decimal::from_parts(14, 0, 0, false, 1);

/// `earned` over `work_ms` milliseconds, per hour, rounded to the cent (2 decimal places, half away
/// from zero: 0.005 becomes 0.01). `None` when no time was worked. Exact before the one rounding:
/// the amount is multiplied by 3,600,000 before it is divided, all in decimals.
pub fn hourly_wage(earned: Decimal, work_ms: u64) -> Option<Decimal> {
    if work_ms == 0 {
        return None;
    }
    let per_hour = earned.checked_mul(Decimal::from(HOUR_MS))?;
    let wage = per_hour.checked_div(Decimal::from(work_ms))?;
    Some(wage.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// The wage the worker compares with: a legal minimum, a platform's minimum, a fair-work target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceWage {
    /// Per hour.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
    /// What it is, for the worker (`US federal minimum`).
    pub name: String,
}

impl Default for ReferenceWage {
    /// The US federal minimum wage, 7.25 USD an hour.
    fn default() -> Self {
        ReferenceWage {
            amount: Decimal::new(725, 2),
            currency: "USD".to_owned(),
            name: "US federal minimum".to_owned(),
        }
    }
}

/// Where a wage stands against the reference wage: red, orange or green.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WageBand {
    /// Below the reference (red).
    Below,
    /// From the reference up to 1.4 times it, inclusive (orange).
    Near,
    /// Above 1.4 times the reference (green).
    Above,
}

impl WageBand {
    /// The name used in reports: `below`, `near`, `above`.
    pub fn name(self) -> &'static str {
        match self {
            WageBand::Below => "below",
            WageBand::Near => "near",
            WageBand::Above => "above",
        }
    }

    /// The colour the band is drawn in: `red`, `orange`, `green`.
    pub fn colour_name(self) -> &'static str {
        match self {
            WageBand::Below => "red",
            WageBand::Near => "orange",
            WageBand::Above => "green",
        }
    }
}

/// The band of hourly wage `wage` against `reference`; `None` when the currencies differ (they are
/// never converted).
pub fn wage_band(wage: &Money, reference: &ReferenceWage) -> Option<WageBand> {
    if wage.currency != reference.currency {
        return None;
    }
    Some(if wage.amount < reference.amount {
        WageBand::Below
    } else if wage.amount <= reference.amount * NEAR_FACTOR {
        WageBand::Near
    } else {
        WageBand::Above
    })
}

/// How far today's earnings are towards the daily goal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalProgress {
    /// Earned today in the goal's currency (pending + approved + bonus).
    pub earned: Money,
    /// The goal.
    pub goal: Money,
    /// `earned / goal`, between 0 and 1 (a goal passed is 1), for a progress bar.
    pub fraction: Decimal,
}

impl GoalProgress {
    /// True once the goal is reached.
    pub fn is_reached(&self) -> bool {
        self.earned.amount >= self.goal.amount
    }
}

/// Progress towards `goal` given today's totals; only the goal's currency counts.
pub fn goal_progress(today: &Totals, goal: &Money) -> GoalProgress {
    let earned = today
        .get(&goal.currency)
        .map_or(Decimal::ZERO, |e| e.earned());
    let fraction = if goal.amount <= Decimal::ZERO {
        Decimal::ONE
    } else {
        (earned / goal.amount).clamp(Decimal::ZERO, Decimal::ONE)
    };
    GoalProgress {
        earned: Money::new(earned, goal.currency.clone()),
        goal: goal.clone(),
        fraction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ledger::RewardState;

    fn usd(cents: i64) -> Money {
        Money::new(Decimal::new(cents, 2), "USD")
    }

    #[test]
    fn wages_are_exact_then_rounded_to_the_cent() {
        // 0.05 in 20 s is 9.00 an hour.
        assert_eq!(
            hourly_wage(Decimal::new(5, 2), 20_000),
            Some(Decimal::new(900, 2))
        );
        // 12 in 7 hours: 1.714285... rounds to 1.71.
        assert_eq!(
            hourly_wage(Decimal::from(12), 7 * HOUR_MS),
            Some(Decimal::new(171, 2))
        );
        // 0.005 an hour rounds up, away from zero.
        assert_eq!(
            hourly_wage(Decimal::new(5, 3), HOUR_MS),
            Some(Decimal::new(1, 2))
        );
        assert_eq!(hourly_wage(Decimal::ONE, 0), None);
    }

    #[test]
    fn bands_are_red_below_orange_to_one_point_four_green_above() {
        let reference = ReferenceWage::default();
        assert_eq!(wage_band(&usd(724), &reference), Some(WageBand::Below));
        assert_eq!(wage_band(&usd(725), &reference), Some(WageBand::Near));
        // 7.25 x 1.4 = 10.15 is still orange; a cent more is green.
        assert_eq!(wage_band(&usd(1015), &reference), Some(WageBand::Near));
        assert_eq!(wage_band(&usd(1016), &reference), Some(WageBand::Above));
        assert_eq!(
            wage_band(&Money::new(Decimal::from(50), "EUR"), &reference),
            None
        );
        assert_eq!(WageBand::Below.colour_name(), "red");
    }

    #[test]
    fn goal_progress_counts_only_its_currency() {
        let mut today = Totals::new();
        today.add_reward(&usd(150), RewardState::Pending);
        today.add_reward(&Money::new(Decimal::from(9), "EUR"), RewardState::Approved);
        let progress = goal_progress(&today, &usd(600));
        assert_eq!(progress.fraction, Decimal::new(25, 2));
        assert!(!progress.is_reached());
        let done = goal_progress(&today, &usd(100));
        assert_eq!(done.fraction, Decimal::ONE);
        assert!(done.is_reached());
    }
}
