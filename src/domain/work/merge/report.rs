//! What a merge tells the requester: `agreement.json` (every figure, for scripts) and `report.md`
//! (the same, readable), and a few lines for the terminal.

use super::agreement::Spread;
use super::{Merged, Method, TaskMerge, WorkerScore};
use crate::domain::ledger::amount_text;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The value of `format` in `agreement.json`.
pub const AGREEMENT_FORMAT: &str = "clickwork-agreement/1";

/// Rounded to 4 decimals: a figure's last digits of float noise are not information.
fn r4(x: f64) -> Value {
    json!((x * 10_000.0).round() / 10_000.0)
}

fn spread_json(s: Option<Spread>) -> Value {
    match s {
        None => Value::Null,
        Some(s) => {
            json!({"n": s.n, "mean": r4(s.mean), "sd": r4(s.sd), "min": r4(s.min), "max": r4(s.max)})
        }
    }
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, r4)
}

impl WorkerScore {
    /// Gold tasks passed, and the mean score over those scored.
    pub fn gold_summary(&self) -> Option<(usize, usize, f64)> {
        if self.gold.is_empty() {
            return None;
        }
        let passed = self.gold.iter().filter(|g| g.passed).count();
        let mean = self.gold.iter().map(|g| g.mean).sum::<f64>() / self.gold.len() as f64;
        Some((passed, self.gold.len(), mean))
    }
}

impl Merged {
    /// Every pair's IoU and Dice of one label over all tasks.
    pub fn label_spreads(&self) -> Vec<(String, Option<Spread>, Option<Spread>)> {
        let mut by_label: BTreeMap<&str, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
        let mut order: Vec<&str> = Vec::new();
        for task in &self.tasks {
            for l in &task.labels {
                if !order.contains(&l.label.as_str()) {
                    order.push(&l.label);
                }
                let entry = by_label.entry(&l.label).or_default();
                entry.0.extend(l.pairs.iter().map(|p| p.iou));
                entry.1.extend(l.pairs.iter().map(|p| p.dice));
            }
        }
        order
            .into_iter()
            .map(|label| {
                let (iou, dice) = by_label.remove(label).unwrap_or_default();
                (label.to_owned(), Spread::of(&iou), Spread::of(&dice))
            })
            .collect()
    }

    fn worker_name(&self, index: usize) -> &str {
        self.workers.get(index).map_or("?", |w| w.name.as_str())
    }

    fn task_json(&self, task: &TaskMerge) -> Value {
        let name = |w: usize| self.worker_name(w).to_owned();
        json!({
            "task_id": task.task_id,
            "workers": task.workers.iter().map(|&w| name(w)).collect::<Vec<_>>(),
            "labels": task.labels.iter().map(|l| {
                let ious: Vec<f64> = l.pairs.iter().map(|p| p.iou).collect();
                let dices: Vec<f64> = l.pairs.iter().map(|p| p.dice).collect();
                json!({
                    "label": l.label,
                    "pairs": l.pairs.iter().map(|p| json!({
                        "a": name(p.a), "b": name(p.b), "iou": r4(p.iou), "dice": r4(p.dice)
                    })).collect::<Vec<_>>(),
                    "iou": spread_json(Spread::of(&ious)),
                    "dice": spread_json(Spread::of(&dices)),
                })
            }).collect::<Vec<_>>(),
            "objects": task.objects.iter().map(|(m, ids)| json!({
                "label": m.label,
                "regions": ids.iter().map(|(w, id)| json!({"worker": name(*w), "region": id})).collect::<Vec<_>>(),
                "labels": m.members.iter().zip(ids).filter_map(|(_, (w, id))| {
                    let file = self.workers.get(*w)?.submitted.get(&task.task_id)?;
                    let region = file.regions.iter().find(|r| &r.id == id)?;
                    Some(json!({"worker": name(*w), "label": region.label}))
                }).collect::<Vec<_>>(),
                "vote_share": r4(m.vote_share),
                "majority": m.kept,
            })).collect::<Vec<_>>(),
            "consensus_regions": task.consensus.len(),
            "holes_filled": task.holes_filled,
            "slivers_dropped": task.slivers_dropped,
        })
    }

    /// `agreement.json`.
    pub fn agreement_json(&self) -> Value {
        let workers: Vec<Value> = self
            .workers
            .iter()
            .zip(&self.scores)
            .map(|(w, s)| {
                let gold = s.gold_summary().map_or(Value::Null, |(passed, scored, mean)| {
                    json!({
                        "scored": scored, "passed": passed, "mean_iou": r4(mean),
                        "tasks": s.gold.iter().map(|g| json!({
                            "task_id": g.task_id, "mean_iou": r4(g.mean), "passed": g.passed,
                            "per_label": g.per_label.iter().map(|(l, v)| (l.clone(), r4(*v))).collect::<serde_json::Map<_, _>>(),
                        })).collect::<Vec<_>>(),
                    })
                });
                let wages: Vec<Value> = w
                    .time
                    .iter()
                    .flat_map(|t| t.wages.iter())
                    .map(|wage| {
                        json!({
                            "currency": wage.currency,
                            "earned": amount_text(wage.earned),
                            "per_hour_all_time": wage.hourly_all.map(amount_text),
                            "per_hour_paid_time": wage.hourly_active.map(amount_text),
                        })
                    })
                    .collect();
                json!({
                    "worker": w.name,
                    "worker_ids": w.worker_ids,
                    "packages": w.packages.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                    "tasks_done": w.submitted.len(),
                    "agreement_with_consensus": opt(s.agreement),
                    "regions": s.regions,
                    "regions_contributed": s.contributed,
                    "regions_lost": s.regions - s.contributed,
                    "gold": gold,
                    "median_task_secs": opt(w.median_task_secs),
                    "effective_wage": wages,
                    "staple": s.staple.iter().map(|(l, p)| (l.clone(), json!({
                        "sensitivity": r4(p.sensitivity), "specificity": r4(p.specificity)
                    }))).collect::<serde_json::Map<_, _>>(),
                })
            })
            .collect();
        json!({
            "format": AGREEMENT_FORMAT,
            "bundle_id": self.bundle_id,
            "consensus": self.method.name(),
            "match_iou": super::agreement::MATCH_IOU,
            "krippendorff_alpha": opt(self.alpha.0),
            "krippendorff_units": self.alpha.1,
            "workers": workers,
            "labels": self.label_spreads().into_iter().map(|(label, iou, dice)| json!({
                "label": label, "iou": spread_json(iou), "dice": spread_json(dice)
            })).collect::<Vec<_>>(),
            "tasks": self.tasks.iter().map(|t| self.task_json(t)).collect::<Vec<_>>(),
            "warnings": self.warnings,
        })
    }

    /// The workers' table, shared by the report and the terminal.
    fn workers_table(&self) -> String {
        let mut out = String::from(
            "| worker | tasks | regions | contributed | lost | agreement (IoU) | gold passed | median s/task | effective wage |\n\
             |---|---:|---:|---:|---:|---:|---|---:|---|\n",
        );
        for (w, s) in self.workers.iter().zip(&self.scores) {
            let gold = s.gold_summary().map_or("-".to_owned(), |(p, n, mean)| {
                format!("{p}/{n} (IoU {mean:.2})")
            });
            let wage: Vec<String> = w
                .time
                .iter()
                .flat_map(|t| t.wages.iter())
                .map(|wage| match wage.hourly_all {
                    Some(h) => format!("{} {}/h", amount_text(h), wage.currency),
                    None => "-".to_owned(),
                })
                .collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                w.name,
                w.submitted.len(),
                s.regions,
                s.contributed,
                s.regions - s.contributed,
                s.agreement.map_or("-".to_owned(), |a| format!("{a:.3}")),
                gold,
                w.median_task_secs
                    .map_or("-".to_owned(), |m| format!("{m:.1}")),
                if wage.is_empty() {
                    "-".to_owned()
                } else {
                    wage.join(", ")
                },
            ));
        }
        out
    }

    fn consensus_words(&self) -> &'static str {
        match self.method {
            Method::Majority => {
                "majority: per label, the area more than half of a task's workers cover; a label drawn only as boxes, and points, by object (those more than half of the workers drew, matched at IoU ≥ 0.5: median sides, mean position)"
            }
            Method::Staple => {
                "STAPLE (Warfield et al. 2004): per label, the area whose estimated probability of being inside is at least 0.5; points by majority"
            }
        }
    }

    fn alpha_words(&self) -> String {
        match self.alpha {
            (Some(a), n) => format!("{a:.3} over {n} matched regions with two labels or more"),
            (None, n) => format!(
                "undefined ({n} matched regions with two labels or more; it needs two such values that are not all the same label)"
            ),
        }
    }

    /// `report.md`.
    pub fn report_markdown(&self) -> String {
        let mut out = format!(
            "# Merge of {} workers on bundle `{}`\n\n\
             - Tasks merged: {} (every task at least one worker submitted)\n\
             - Consensus in the dataset: {}\n\
             - Krippendorff's alpha (nominal, the labels of matched regions): {}\n\n\
             ## Workers\n\n\
             Agreement is the mean IoU of the worker's area of each label with the consensus's; \
             contributed regions match a consensus region of the same label at IoU ≥ 0.5, the rest are lost. \
             Time and wages come from the work log inside each package (active time at the 100 s idle rule; \
             the wage counts all logged time, unpaid included).\n\n{}\n",
            self.workers.len(),
            self.bundle_id,
            self.tasks.len(),
            self.consensus_words(),
            self.alpha_words(),
            self.workers_table(),
        );
        let staple: Vec<String> = self
            .workers
            .iter()
            .zip(&self.scores)
            .flat_map(|(w, s)| {
                s.staple.iter().map(move |(label, p)| {
                    format!(
                        "| {} | {label} | {:.4} | {:.4} |",
                        w.name, p.sensitivity, p.specificity
                    )
                })
            })
            .collect();
        if !staple.is_empty() {
            out.push_str(&format!(
                "## STAPLE estimates\n\n| worker | label | sensitivity | specificity |\n|---|---|---:|---:|\n{}\n\n",
                staple.join("\n")
            ));
        }
        out.push_str(
            "## Labels\n\nEvery pair of workers on a task, where at least one of them marked the label.\n\n\
             | label | pairs | IoU mean | IoU sd | IoU min–max | Dice mean |\n|---|---:|---:|---:|---|---:|\n",
        );
        for (label, iou, dice) in self.label_spreads() {
            if let Some(i) = iou {
                out.push_str(&format!(
                    "| {label} | {} | {:.3} | {:.3} | {:.3}–{:.3} | {} |\n",
                    i.n,
                    i.mean,
                    i.sd,
                    i.min,
                    i.max,
                    dice.map_or("-".to_owned(), |d| format!("{:.3}", d.mean))
                ));
            }
        }
        out.push_str(
            "\n## Tasks\n\n| task | workers | objects | by a majority | consensus regions | mean pairwise IoU |\n|---|---:|---:|---:|---:|---:|\n",
        );
        for t in &self.tasks {
            let ious: Vec<f64> = t
                .labels
                .iter()
                .flat_map(|l| l.pairs.iter().map(|p| p.iou))
                .collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                t.task_id,
                t.workers.len(),
                t.objects.len(),
                t.objects.iter().filter(|(m, _)| m.kept).count(),
                t.consensus.len(),
                Spread::of(&ious).map_or("-".to_owned(), |s| format!("{:.3}", s.mean)),
            ));
        }
        if !self.warnings.is_empty() {
            out.push_str("\n## Warnings\n\n");
            for w in &self.warnings {
                out.push_str(&format!("- {w}\n"));
            }
        }
        out
    }

    /// A few lines for the terminal.
    pub fn terminal_summary(&self) -> String {
        format!(
            "merged {} tasks from {} workers on bundle {} (consensus: {})\nKrippendorff's alpha: {}\n\n{}",
            self.tasks.len(),
            self.workers.len(),
            self.bundle_id,
            self.method.name(),
            self.alpha_words(),
            self.workers_table()
        )
    }
}
