//! The canvas's image-to-screen transform: zoom about the cursor, pan, fit, 1:1.

use crate::domain::geometry::Point;
use egui::{Pos2, Rect, Vec2};

/// Zoom limits, in screen points per image pixel.
const MIN_ZOOM: f32 = 0.01;
const MAX_ZOOM: f32 = 64.0;

/// How the image sits in the canvas: `p_screen = canvas.min + pan + p_image * zoom`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Screen points per image pixel.
    pub zoom: f32,
    /// Screen offset of the image's top-left corner from the canvas's top-left corner.
    pub pan: Vec2,
    /// The canvas rectangle on screen, as laid out in the last frame.
    pub canvas: Rect,
}

impl Default for View {
    fn default() -> Self {
        View {
            zoom: 1.0,
            pan: Vec2::ZERO,
            canvas: Rect::from_min_size(Pos2::ZERO, Vec2::new(1.0, 1.0)),
        }
    }
}

impl View {
    /// Where image point `p_image` is on screen.
    pub fn screen_from_image(&self, p_image: Point) -> Pos2 {
        self.canvas.min + self.pan + Vec2::new(p_image.x as f32, p_image.y as f32) * self.zoom
    }

    /// Which image point is under screen position `p_screen`, to a thousandth of a pixel (screen
    /// positions are `f32`; more digits would only be noise in the saved files).
    pub fn image_from_screen(&self, p_screen: Pos2) -> Point {
        let v = (p_screen - self.canvas.min - self.pan) / self.zoom;
        let round = |x: f32| (f64::from(x) * 1000.0).round() / 1000.0;
        Point::new(round(v.x), round(v.y))
    }

    /// A distance of `screen_points` on screen, in image pixels.
    pub fn image_len(&self, screen_points: f32) -> f64 {
        f64::from(screen_points / self.zoom)
    }

    /// Shows the whole image of `size` (image pixels) centred in the canvas.
    pub fn fit(&mut self, size: Vec2) {
        if size.x <= 0.0 || size.y <= 0.0 {
            return;
        }
        let avail = self.canvas.size();
        self.zoom = (avail.x / size.x)
            .min(avail.y / size.y)
            .clamp(MIN_ZOOM, MAX_ZOOM);
        self.pan = (avail - size * self.zoom) * 0.5;
    }

    /// Shows the image at one screen point per image pixel, keeping the canvas centre's image point
    /// in place.
    pub fn actual_size(&mut self) {
        self.zoom_about(self.canvas.center(), 1.0 / self.zoom);
    }

    /// Multiplies the zoom by `factor`, keeping the image point under `p_screen` where it is.
    pub fn zoom_about(&mut self, p_screen: Pos2, factor: f32) {
        let anchor = self.image_from_screen(p_screen);
        self.zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let anchor = Vec2::new(anchor.x as f32, anchor.y as f32);
        self.pan = p_screen - self.canvas.min - anchor * self.zoom;
    }

    /// Moves the image by `delta` screen points.
    pub fn pan_by(&mut self, delta: Vec2) {
        self.pan += delta;
    }

    /// Keeps the image where it is on screen when the canvas moves or resizes.
    pub fn set_canvas(&mut self, canvas: Rect) {
        self.canvas = canvas;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> View {
        View {
            canvas: Rect::from_min_size(Pos2::new(100.0, 50.0), Vec2::new(800.0, 600.0)),
            ..View::default()
        }
    }

    #[test]
    fn transforms_are_inverse() {
        let mut v = view();
        v.zoom = 0.37;
        v.pan = Vec2::new(12.0, -40.0);
        let p = Point::new(1234.5, 678.25);
        let back = v.image_from_screen(v.screen_from_image(p));
        assert!((back.x - p.x).abs() < 0.01 && (back.y - p.y).abs() < 0.01);
    }

    #[test]
    fn fit_centres_the_image() {
        let mut v = view();
        v.fit(Vec2::new(1600.0, 600.0));
        assert!((v.zoom - 0.5).abs() < 1e-6);
        let top_left = v.screen_from_image(Point::new(0.0, 0.0));
        let bottom_right = v.screen_from_image(Point::new(1600.0, 600.0));
        assert!((top_left.x - 100.0).abs() < 1e-3);
        assert!(((top_left.y + bottom_right.y) / 2.0 - v.canvas.center().y).abs() < 1e-3);
    }

    #[test]
    fn zoom_keeps_the_pixel_under_the_cursor() {
        let mut v = view();
        v.fit(Vec2::new(3000.0, 2000.0));
        let cursor = Pos2::new(321.0, 222.0);
        let before = v.image_from_screen(cursor);
        v.zoom_about(cursor, 1.7);
        let after = v.image_from_screen(cursor);
        assert!((before.x - after.x).abs() < 0.01 && (before.y - after.y).abs() < 0.01);
        v.actual_size();
        assert!((v.zoom - 1.0).abs() < 1e-6);
    }
}
