//! An image too large for one texture in the real app (egui_kittest): it is shown as tiles of the
//! level its zoom needs, every source pixel at 1:1, a coarser tile standing in while a tile is cut,
//! and regions drawn on it are in full-resolution pixels. (A small image is tiled here by lowering
//! the threshold; the 400-megapixel figure is `cargo bench --bench scale`'s.)
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use clickwork::domain::geometry::Shape;
use common::ui::*;
use egui::{Key, Modifiers};
use std::time::Duration;

const BIG_W: u32 = 2400;
const BIG_H: u32 = 1800;

/// Lets the image decode and the tiles the canvas asked for arrive, then paints them.
fn settle(harness: &mut egui_kittest::Harness<'_, clickwork::ui::app::App>) {
    harness.run_steps(2);
    assert!(harness.state_mut().wait_for_image(Duration::from_secs(60)));
    for _ in 0..4 {
        harness.run_steps(1);
        assert!(harness.state_mut().wait_for_tiles(Duration::from_secs(60)));
    }
    harness.run_steps(2);
}

#[test]
fn a_tiled_image_shows_the_level_its_zoom_needs_and_every_pixel_at_one_to_one() {
    let fixture = Fixture::new();
    let img = image::RgbImage::from_fn(BIG_W, BIG_H, |x, y| {
        image::Rgb([
            (x % 256) as u8,
            (y % 256) as u8,
            ((x / 7 + y / 5) % 256) as u8,
        ])
    });
    img.save(fixture.bundle.join("images/a.png")).unwrap();
    let mut harness = fixture.harness();
    harness.state_mut().tile_images_above(1_000_000);
    settle(&mut harness);
    assert_eq!(harness.state().image_failure(), None);

    // Fitted: the 2400×1800 image in a canvas under 1000 points wide is shown from a coarser level,
    // the one whose pixels are just no larger than the screen's.
    let zoom = harness.state().canvas().view.zoom;
    assert!(zoom < 0.5, "{zoom}");
    let expected = (1.0 / f64::from(zoom)).log2().floor() as u8;
    let fitted = harness.state().canvas().tiles().clone();
    assert_eq!(fitted.level, expected, "{fitted:?}");
    assert!(fitted.drawn >= 1 && fitted.stand_ins == 0, "{fitted:?}");

    // 1:1: full-resolution tiles, every one in view drawn.
    press_mod(&mut harness, Modifiers::COMMAND, Key::Num0);
    settle(&mut harness);
    assert!((harness.state().canvas().view.zoom - 1.0).abs() < 1e-4);
    let actual = harness.state().canvas().tiles().clone();
    assert_eq!(actual.level, 0, "{actual:?}");
    let in_view = actual.wanted.iter().filter(|t| t.level == 0).count();
    assert!(in_view >= 2, "{actual:?}");
    assert_eq!(actual.drawn, in_view, "{actual:?}");
    assert_eq!(actual.stand_ins, 0, "{actual:?}");

    // A pan far to the right: tiles not cut yet are stood in for by a coarser one in the frame of
    // the pan; once cut, they are drawn.
    let centre = harness.state().canvas().view.canvas.center();
    harness.key_down(Key::Space);
    harness.run_steps(1);
    harness.hover_at(centre);
    harness.drag_at(centre);
    harness.hover_at(centre - egui::vec2(700.0, 500.0));
    harness.step();
    let panning = harness.state().canvas().tiles().clone();
    harness.drop_at(centre - egui::vec2(700.0, 500.0));
    harness.key_up(Key::Space);
    assert!(panning.stand_ins >= 1, "{panning:?}");
    assert!(panning.drawn < panning.wanted.len(), "{panning:?}");
    settle(&mut harness);
    let panned = harness.state().canvas().tiles().clone();
    assert_ne!(panned.wanted, actual.wanted);
    assert_eq!(panned.stand_ins, 0, "{panned:?}");
    assert_eq!(
        panned.drawn,
        panned.wanted.iter().filter(|t| t.level == 0).count()
    );

    // A rectangle drawn here is in the image's full-resolution pixels.
    press(&mut harness, Key::R);
    let view = harness.state().canvas().view;
    let at = view.image_from_screen(view.canvas.center());
    let from = screen(&harness, at.x, at.y);
    let to = screen(&harness, at.x + 120.0, at.y + 80.0);
    drag(&mut harness, from, to);
    let added = regions(&harness);
    let Shape::Rectangle {
        corners: [min, max],
    } = &added.last().unwrap().shape
    else {
        panic!("{added:?}");
    };
    assert!(
        at.x > 1000.0,
        "the pan should have moved far into the image: {at:?}"
    );
    assert!(
        close(*min, at) && (max.x - min.x - 120.0).abs() <= 1.0,
        "{min:?} {max:?}"
    );
}

#[test]
fn moving_on_from_a_tiled_image_lets_its_pyramid_go() {
    let fixture = Fixture::new();
    for name in ["a.png", "b.png"] {
        image::RgbImage::from_pixel(BIG_W, BIG_H, image::Rgb([40, 90, 160]))
            .save(fixture.bundle.join("images").join(name))
            .unwrap();
    }
    let mut harness = fixture.harness();
    harness.state_mut().tile_images_above(1_000_000);
    settle(&mut harness);
    assert_eq!(harness.state().pyramids_held(), 1);
    // The next task (D): its image is tiled too, and the first pyramid is let go rather than kept
    // beside it; nor is a huge neighbour decoded ahead.
    press(&mut harness, Key::D);
    settle(&mut harness);
    assert_eq!(harness.state().session().unwrap().task().id, "b");
    assert_eq!(harness.state().pyramids_held(), 1);
    assert!(harness.state().canvas().tiles().drawn >= 1);
}
