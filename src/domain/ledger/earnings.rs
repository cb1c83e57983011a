//! Earnings, kept apart by currency. Money is a [`Decimal`], never a float.

use crate::domain::money::Money;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Where a submitted task's reward stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RewardState {
    /// Submitted, not reviewed yet.
    Pending,
    /// The requester approved it.
    Approved,
    /// The requester rejected it: the reward is lost.
    Rejected,
}

impl RewardState {
    /// The name used in reports: `pending`, `approved`, `rejected`.
    pub fn name(self) -> &'static str {
        match self {
            RewardState::Pending => "pending",
            RewardState::Approved => "approved",
            RewardState::Rejected => "rejected",
        }
    }
}

/// What some work earned in one currency.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Earnings {
    /// ISO 4217 code.
    pub currency: String,
    /// Rewards of submitted tasks not reviewed yet.
    pub pending: Decimal,
    /// Rewards of approved tasks.
    pub approved: Decimal,
    /// Rewards of rejected tasks: what rejections cost.
    pub rejected: Decimal,
    /// Bonuses granted in reviews.
    pub bonus: Decimal,
    /// How many tasks are pending.
    pub tasks_pending: u32,
    /// How many tasks were approved.
    pub tasks_approved: u32,
    /// How many tasks were rejected.
    pub tasks_rejected: u32,
}

impl Earnings {
    /// Nothing yet, in `currency`.
    pub fn new(currency: impl Into<String>) -> Self {
        Earnings {
            currency: currency.into(),
            ..Earnings::default()
        }
    }

    /// What the work earned or is expected to: pending + approved + bonus (rejected rewards are lost).
    pub fn earned(&self) -> Decimal {
        self.pending + self.approved + self.bonus
    }

    /// Adds `other` (of the same currency) to these earnings.
    pub fn add(&mut self, other: &Earnings) {
        self.pending += other.pending;
        self.approved += other.approved;
        self.rejected += other.rejected;
        self.bonus += other.bonus;
        self.tasks_pending += other.tasks_pending;
        self.tasks_approved += other.tasks_approved;
        self.tasks_rejected += other.tasks_rejected;
    }
}

/// Earnings in every currency, each kept apart: amounts are never converted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    by_currency: BTreeMap<String, Earnings>,
}

impl Totals {
    /// No earnings.
    pub fn new() -> Self {
        Self::default()
    }

    fn entry(&mut self, currency: &str) -> &mut Earnings {
        self.by_currency
            .entry(currency.to_owned())
            .or_insert_with(|| Earnings::new(currency))
    }

    /// Counts one task's reward in `state`.
    pub fn add_reward(&mut self, reward: &Money, state: RewardState) {
        let e = self.entry(&reward.currency);
        match state {
            RewardState::Pending => {
                e.pending += reward.amount;
                e.tasks_pending += 1;
            }
            RewardState::Approved => {
                e.approved += reward.amount;
                e.tasks_approved += 1;
            }
            RewardState::Rejected => {
                e.rejected += reward.amount;
                e.tasks_rejected += 1;
            }
        }
    }

    /// Counts a bonus.
    pub fn add_bonus(&mut self, bonus: &Money) {
        self.entry(&bonus.currency).bonus += bonus.amount;
    }

    /// Adds every currency of `other`.
    pub fn add(&mut self, other: &Totals) {
        for earnings in other.by_currency.values() {
            self.entry(&earnings.currency).add(earnings);
        }
    }

    /// The earnings in `currency`, if there are any.
    pub fn get(&self, currency: &str) -> Option<&Earnings> {
        self.by_currency.get(currency)
    }

    /// Every currency's earnings, in currency order.
    pub fn iter(&self) -> impl Iterator<Item = &Earnings> {
        self.by_currency.values()
    }

    /// True when nothing was earned or lost in any currency.
    pub fn is_empty(&self) -> bool {
        self.by_currency.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_cents_add_up_exactly() {
        let reward = Money::new(Decimal::new(12, 3), "USD");
        let mut totals = Totals::new();
        for _ in 0..1000 {
            totals.add_reward(&reward, RewardState::Pending);
        }
        let usd = totals.get("USD").unwrap();
        assert_eq!(usd.pending, Decimal::from(12));
        assert_eq!(usd.pending.normalize().to_string(), "12");
        assert_eq!(usd.tasks_pending, 1000);
        // 0.1 + 0.2 is 0.3 here, unlike with floats.
        let mut cents = Totals::new();
        cents.add_bonus(&Money::new(Decimal::new(1, 1), "EUR"));
        cents.add_bonus(&Money::new(Decimal::new(2, 1), "EUR"));
        assert_eq!(cents.get("EUR").unwrap().bonus, Decimal::new(3, 1));
    }

    #[test]
    fn currencies_are_kept_apart() {
        let mut totals = Totals::new();
        totals.add_reward(
            &Money::new(Decimal::new(5, 2), "USD"),
            RewardState::Approved,
        );
        totals.add_reward(
            &Money::new(Decimal::new(4, 2), "GBP"),
            RewardState::Rejected,
        );
        totals.add_bonus(&Money::new(Decimal::new(1, 0), "USD"));
        let mut more = Totals::new();
        more.add_reward(&Money::new(Decimal::new(5, 2), "USD"), RewardState::Pending);
        totals.add(&more);
        let currencies: Vec<&str> = totals.iter().map(|e| e.currency.as_str()).collect();
        assert_eq!(currencies, ["GBP", "USD"]);
        let usd = totals.get("USD").unwrap();
        assert_eq!(usd.earned(), Decimal::new(110, 2));
        let gbp = totals.get("GBP").unwrap();
        assert_eq!(
            (gbp.rejected, gbp.earned()),
            (Decimal::new(4, 2), Decimal::ZERO)
        );
        assert_eq!(
            Money::new(Decimal::new(1200, 3), "USD").to_string(),
            "1.2 USD"
        );
    }
}
