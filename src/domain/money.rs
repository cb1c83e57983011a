//! Money as data: an amount is a [`Decimal`], never a float, and a currency is an ISO 4217 code. The
//! one place that reads an amount or a currency code from text, for the bundle's reward, a review's
//! bonus and the worker's settings alike.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An amount in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The amount, written as a decimal string (`"0.012"`).
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// ISO 4217 code (`USD`).
    pub currency: String,
}

impl Money {
    /// `amount` of `currency`.
    pub fn new(amount: Decimal, currency: impl Into<String>) -> Self {
        Money {
            amount,
            currency: currency.into(),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount.normalize(), self.currency)
    }
}

/// An ISO 4217 currency code: three ASCII letters, kept in capitals (`USD`). Parsing accepts any case
/// and surrounding spaces (`" usd"` is USD): what a person types means the same code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(String);

/// Why a text is not a currency code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("is not a three-letter ISO 4217 code like USD or EUR")]
pub struct CurrencyError;

impl Currency {
    /// The code, in capitals.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let code = text.trim();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Currency(code.to_ascii_uppercase()))
        } else {
            Err(CurrencyError)
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A non-negative amount written as digits with an optional fraction (`0.05`, `12`), as rewards,
/// bonuses and wages are written: no sign, no spaces, no exponent, no thousands separator, no currency
/// sign. Readers of hand-typed files may trim spaces and a leading `+` first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(pub Decimal);

/// Why a text is not an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// A negative number.
    #[error("must not be negative")]
    Negative,
    /// Not digits with an optional fraction.
    #[error("is not an amount like 0.05")]
    NotAnAmount,
    /// More digits than a decimal holds.
    #[error("is too large or has too many digits")]
    TooLarge,
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(digits: &str) -> Result<Self, Self::Err> {
        if let Some(rest) = digits.strip_prefix('-')
            && Amount::from_str(rest).is_ok()
        {
            return Err(AmountError::Negative);
        }
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let only_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !only_digits(whole)
            || !only_digits(fraction)
            || digits.ends_with('.')
        {
            return Err(AmountError::NotAnAmount);
        }
        Decimal::from_str(digits)
            .map(Amount)
            .map_err(|_| AmountError::TooLarge)
    }
}

/// An amount as written in reports and files: at least two decimals, no trailing zeros beyond them
/// (`0.05`, `0.012`, `3.00`).
pub fn amount_text(amount: Decimal) -> String {
    let mut d = amount.normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_plain_non_negative_decimals() {
        let parse = |t: &str| t.parse::<Amount>().map(|a| a.0);
        assert_eq!(parse("0.012"), Ok(Decimal::new(12, 3)));
        assert_eq!(parse("0.05"), Ok(Decimal::new(5, 2)));
        assert_eq!(parse("12"), Ok(Decimal::new(12, 0)));
        assert_eq!(parse("-1"), Err(AmountError::Negative));
        assert_eq!(parse("-0.05"), Err(AmountError::Negative));
        for bad in [
            "", ".5", "5.", "1e3", "0,05", " 1", "1_000", "abc", "+1", "--1", "$1", "-",
        ] {
            assert_eq!(parse(bad), Err(AmountError::NotAnAmount), "{bad:?}");
        }
        assert_eq!(
            parse("99999999999999999999999999999999"),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn currency_codes_are_three_letters_in_any_case() {
        assert_eq!("usd".parse::<Currency>().unwrap().as_str(), "USD");
        assert_eq!(" Eur ".parse::<Currency>().unwrap().to_string(), "EUR");
        for bad in ["", "US", "dollars", "U5D", "€"] {
            assert_eq!(bad.parse::<Currency>(), Err(CurrencyError), "{bad}");
        }
    }

    #[test]
    fn amounts_are_written_with_at_least_two_decimals() {
        assert_eq!(amount_text(Decimal::new(5, 2)), "0.05");
        assert_eq!(amount_text(Decimal::new(12, 3)), "0.012");
        assert_eq!(amount_text(Decimal::from(3)), "3.00");
        assert_eq!(amount_text(Decimal::new(1200, 3)), "1.20");
    }
}
