//! `cargo bench --bench workbench`: the figures the workbench issue names, on the real sample bundle.
//!
//! - decode time of each sample photo (worker-thread work);
//! - frame time of the real app (layout, hit testing, tessellation; no GPU in this process) while the
//!   pointer moves over the canvas with regions drawn;
//! - time from Ctrl+Enter (submit) to the next task's image being ready, with prefetching as the app does
//!   it (the worker's usual pace: a few seconds per task, so the prefetch has time to finish).
// A benchmark prints its figures and stops at the first failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use clickwork::domain::annotation::{Annotation, Region};
use clickwork::domain::bundle::sample_bundle_path;
use clickwork::domain::bundle::{LoadOptions, load_bundle};
use clickwork::domain::clock::system_clock;
use clickwork::domain::edit::Edit;
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::hit_index::HitIndex;
use clickwork::domain::image_decode::decode_for_display;
use clickwork::ui::AppConfig;
use clickwork::ui::app::App;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use std::time::{Duration, Instant};

fn main() {
    let data = tempfile::tempdir().expect("temporary data folder");
    let sample = sample_bundle_path();
    let options = LoadOptions::new(data.path().join("cache"));

    let started = Instant::now();
    let bundle = load_bundle(&sample, &options).expect("the sample bundle loads");
    println!(
        "load + validate the sample bundle ({} tasks): {:.1} ms",
        bundle.tasks.len(),
        ms(started.elapsed())
    );

    for task in &bundle.tasks {
        let started = Instant::now();
        let image = decode_for_display(&task.image_path, options.max_pixels, 8192)
            .expect("sample photo decodes");
        println!(
            "decode {:<14} {:>5}x{:<5} {:>7.1} ms",
            task.id,
            image.full_width,
            image.full_height,
            ms(started.elapsed())
        );
    }

    let config = AppConfig {
        data_dir: data.path().to_owned(),
        bundle_path: Some(sample.clone()),
        load_options: options.clone(),
        clock: system_clock(),
        wall_clock: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_eframe(move |cc| App::new(cc, config));
    harness.run_steps(2);
    harness.state_mut().wait_for_jobs(Duration::from_secs(60));
    harness.run_steps(2);
    harness.state_mut().wait_for_image(Duration::from_secs(30));
    harness.run_steps(2);

    // Twenty polygons of 200 vertices each, as a busy task might have.
    for k in 0..20 {
        let cx = 300.0 + 120.0 * f64::from(k % 5);
        let cy = 300.0 + 300.0 * f64::from(k / 5);
        let points = (0..200)
            .map(|i| {
                let a = f64::from(i) / 200.0 * std::f64::consts::TAU;
                Point::new(
                    cx + 100.0 * a.cos(),
                    cy + 80.0 * a.sin() * (1.0 + 0.2 * (5.0 * a).sin()),
                )
            })
            .collect();
        let region = Region::new(format!("b{k}"), "sky", Shape::Polygon { points });
        harness.state_mut().apply_edit(Edit::AddRegion {
            region,
            index: None,
        });
    }
    harness.run_steps(2);

    let canvas = harness.state().canvas().view.canvas;
    let frames = 300;
    let started = Instant::now();
    for i in 0..frames {
        let t = i as f32 / frames as f32;
        harness.hover_at(canvas.lerp_inside(egui::vec2(0.1 + 0.8 * t, 0.5)));
        harness.step();
    }
    let per_frame = ms(started.elapsed()) / f64::from(frames);
    println!(
        "frame time, pointer moving over 20 polygons x 200 vertices: {per_frame:.2} ms/frame (mean of {frames})"
    );

    // A dense task: 1,000 polygons of 100 vertices, the pointer moving. Each frame is the app's
    // update and egui's tessellation of what it painted (the GPU upload is not in this process).
    for k in 0..1000 {
        let cx = 100.0 + 130.0 * f64::from(k % 32);
        let cy = 100.0 + 75.0 * f64::from(k / 32);
        let points = (0..100)
            .map(|i| {
                let a = f64::from(i) / 100.0 * std::f64::consts::TAU;
                Point::new(
                    cx + 60.0 * a.cos(),
                    cy + 35.0 * a.sin() * (1.0 + 0.2 * (5.0 * a).sin()),
                )
            })
            .collect();
        let region = Region::new(format!("d{k}"), "sky", Shape::Polygon { points });
        harness.state_mut().apply_edit(Edit::AddRegion {
            region,
            index: None,
        });
    }
    harness.run_steps(2);
    let frames = 100;
    let started = Instant::now();
    let mut tessellated = 0usize;
    for i in 0..frames {
        let t = i as f32 / frames as f32;
        harness.hover_at(canvas.lerp_inside(egui::vec2(0.1 + 0.8 * t, 0.5)));
        harness.step();
        let output = harness.output();
        let primitives = harness
            .ctx
            .tessellate(output.shapes.clone(), output.pixels_per_point);
        tessellated = primitives.len();
    }
    let per_frame = ms(started.elapsed()) / f64::from(frames);
    println!(
        "frame time with tessellation, pointer moving over 1,000 polygons x 100 vertices: \
         {per_frame:.2} ms/frame (mean of {frames}; {tessellated} primitives)"
    );
    hit_tests(harness.state().session().expect("a session").annotation());
    let ids: Vec<String> = (0..1000).map(|k| format!("d{k}")).collect();
    for id in ids {
        harness.state_mut().apply_edit(Edit::DeleteRegion { id });
    }
    harness.run_steps(2);

    // Submit-to-next-image. The first task needs a region (min_regions); give each task one.
    let mut waits = Vec::new();
    for _ in 0..4 {
        let region = Region::new(
            "bench",
            "sky",
            Shape::rectangle(Point::new(10.0, 10.0), Point::new(200.0, 200.0)),
        );
        harness.state_mut().apply_edit(Edit::AddRegion {
            region,
            index: None,
        });
        harness.run_steps(1);
        // The worker spends a few seconds on a task: let the prefetch finish as it would.
        std::thread::sleep(Duration::from_millis(800));
        harness.run_steps(1);
        let started = Instant::now();
        harness.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
        harness.step();
        harness.state_mut().wait_for_image(Duration::from_secs(30));
        harness.step();
        waits.push(ms(started.elapsed()));
    }
    let shown: Vec<String> = waits.iter().map(|w| format!("{w:.1}")).collect();
    println!(
        "submit -> next image ready and drawn, ms per task: {}",
        shown.join(", ")
    );
    harness.state().flush();
}

/// A click's hit test on the dense task: the plain scan against the spatial index (and building it,
/// which happens once after each edit).
fn hit_tests(annotation: &Annotation) {
    let started = Instant::now();
    let index = HitIndex::new(annotation);
    let built = ms(started.elapsed());
    let clicks: Vec<Point> = (0..2000)
        .map(|i| Point::new(f64::from(i * 37 % 4300), f64::from(i * 53 % 2600)))
        .collect();
    let started = Instant::now();
    let linear: Vec<_> = clicks
        .iter()
        .map(|&p| annotation.hit_test(p, 4.0, |_| true))
        .collect();
    let scan = ms(started.elapsed()) / clicks.len() as f64;
    let started = Instant::now();
    let indexed: Vec<_> = clicks
        .iter()
        .map(|&p| index.hit_test(annotation, p, 4.0, |_| true))
        .collect();
    let through = ms(started.elapsed()) / clicks.len() as f64;
    assert_eq!(linear, indexed, "the index and the scan disagree");
    println!(
        "hit test on {} regions: plain scan {scan:.4} ms/click, index {through:.4} ms/click \
         (built in {built:.2} ms after each edit; {} of {} clicks hit)",
        annotation.regions.len(),
        linear.iter().flatten().count(),
        clicks.len()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
