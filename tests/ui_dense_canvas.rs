//! A dense task in the real app (egui_kittest): panning moves the painted layer of untouched regions
//! instead of tessellating it again, zoomed in the regions far outside the view are left out of it,
//! and a click still selects the region under the pointer.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use clickwork::domain::annotation::Region;
use clickwork::domain::edit::Edit;
use clickwork::domain::geometry::{Point, Shape};
use common::ui::*;
use egui::Key;
use egui_kittest::kittest::{Queryable, by};

/// How many nodes the window's accessibility tree has.
fn accessibility_nodes(harness: &egui_kittest::Harness<'_, clickwork::ui::app::App>) -> usize {
    harness.query_all(by().predicate(|_| true)).count()
}

/// A grid of `n` × `n` small octagons over the first `w` × `h` pixels of the image.
fn add_grid(
    harness: &mut egui_kittest::Harness<'_, clickwork::ui::app::App>,
    n: u32,
    w: f64,
    h: f64,
) {
    for k in 0..n * n {
        let cx = (f64::from(k % n) + 0.5) * w / f64::from(n);
        let cy = (f64::from(k / n) + 0.5) * h / f64::from(n);
        let points = (0..8)
            .map(|i| {
                let a = f64::from(i) / 8.0 * std::f64::consts::TAU;
                Point::new(
                    cx + 0.3 * w / f64::from(n) * a.cos(),
                    cy + 0.3 * h / f64::from(n) * a.sin(),
                )
            })
            .collect();
        let region = Region::new(format!("g{k}"), "sky", Shape::Polygon { points });
        harness.state_mut().apply_edit(Edit::AddRegion {
            region,
            index: None,
        });
    }
    harness.run_steps(2);
}

#[test]
fn panning_a_dense_task_moves_its_layer_and_zoomed_in_far_regions_are_left_out() {
    let fixture = Fixture::new();
    let mut harness = fixture.harness();
    let (w, h) = {
        let task = harness.state().session().unwrap().task().clone();
        (f64::from(task.width), f64::from(task.height))
    };
    let before = accessibility_nodes(&harness);
    add_grid(&mut harness, 30, w, h);
    // 900 regions of 8 vertices: the tree holds the rows of the regions list in view, not a node
    // per region, let alone per vertex.
    let after = accessibility_nodes(&harness);
    println!("accessibility nodes: {before} with no region, {after} with 900");
    assert!(after < before + 60, "{before} nodes before, {after} after");
    // Fitted, the whole image is in view: nothing is left out.
    let fitted = harness.state().canvas().layer_counts();
    assert!(fitted.built > 0);
    assert_eq!(fitted.culled, 0, "{fitted:?}");

    // Zoomed in (the wheel, over the image's middle) most of the image is outside the window: far
    // regions are left out.
    let middle = screen(&harness, w / 2.0, h / 2.0);
    harness.hover_at(middle);
    for _ in 0..4 {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, 10.0),
            modifiers: egui::Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        });
        harness.run_steps(1);
    }
    harness.run_steps(1);
    assert!(harness.state().canvas().view.zoom > 20.0);
    let zoomed = harness.state().canvas().layer_counts();
    assert!(zoomed.built > fitted.built, "{zoomed:?}");
    // While the wheel turned, the layer was stretched rather than made again each frame; once the
    // zoom stopped it was made again at that zoom (the built count above).
    assert!(zoomed.stretched >= 3, "{zoomed:?}");
    assert!(zoomed.built - fitted.built <= 2, "{zoomed:?}");
    assert!(zoomed.culled > 100, "{zoomed:?}");

    // Panning a little (Space held, drag) moves the layer; it is not made again.
    let centre = harness.state().canvas().view.canvas.center();
    harness.key_down(Key::Space);
    harness.run_steps(1);
    harness.hover_at(centre);
    harness.drag_at(centre);
    for step in 1..=5 {
        harness.hover_at(centre + egui::vec2(8.0 * step as f32, 5.0 * step as f32));
        harness.run_steps(1);
    }
    harness.drop_at(centre + egui::vec2(40.0, 25.0));
    harness.run_steps(1);
    harness.key_up(Key::Space);
    harness.run_steps(2);
    let panned = harness.state().canvas().layer_counts();
    assert!(panned.moved >= 3, "{panned:?}");
    assert_eq!(
        panned.built, zoomed.built,
        "panning rebuilt the layer: {panned:?}"
    );

    // After the pan, a click on a region's centre selects that region (the mesh and the hit test
    // agree on where things are).
    let n = 30.0;
    let target = (0..900)
        .map(|k| {
            let cx = (f64::from(k % 30) + 0.5) * w / n;
            let cy = (f64::from(k / 30) + 0.5) * h / n;
            (k, screen(&harness, cx, cy))
        })
        .find(|(_, p)| {
            harness
                .state()
                .canvas()
                .view
                .canvas
                .shrink(40.0)
                .contains(*p)
        })
        .expect("a region in view");
    press(&mut harness, Key::V);
    click(&mut harness, target.1);
    assert_eq!(
        harness.state().canvas().selected.as_deref(),
        Some(format!("g{}", target.0).as_str())
    );
}
