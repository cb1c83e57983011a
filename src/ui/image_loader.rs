//! Images decode on worker threads and arrive over a channel; each becomes one texture, kept in a small
//! cache. Loads nobody wants any more are dropped before decoding.

use crate::domain::image_decode::decode_for_display;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// How many decoded images stay in memory (the current task, neighbours and prefetched ones).
const CACHE_SIZE: usize = 6;
/// Decoder threads: the machine we design for has two cores.
const WORKERS: usize = 2;

/// A task image as the canvas sees it.
#[derive(Clone)]
pub enum ImageState {
    /// Decoding.
    Loading,
    /// Ready: the texture and the image's full size in image pixels.
    Ready {
        /// The (possibly downscaled) texture.
        texture: egui::TextureHandle,
        /// Full-resolution size: annotation coordinates live in this space.
        full_size: egui::Vec2,
    },
    /// Could not be shown; the message names the file.
    Failed(String),
}

struct Request {
    path: PathBuf,
    /// The GPU's largest texture side when the request was made.
    max_side: u32,
}

/// A decoded image converted to egui's format on the worker thread (the premultiplying conversion of a
/// 12-megapixel photo takes tens of milliseconds: not for the UI thread), with its full size.
type Decoded = (PathBuf, Result<(egui::ColorImage, egui::Vec2), String>);

/// Decodes images in the background and keeps their textures.
pub struct ImageLoader {
    requests: Sender<Request>,
    results: Receiver<Decoded>,
    wanted: Arc<Mutex<HashSet<PathBuf>>>,
    cache: HashMap<PathBuf, (ImageState, u64)>,
    tick: u64,
    max_side: u32,
}

impl ImageLoader {
    /// Starts the decoder threads. `wake` repaints the window when an image is ready. Images are
    /// downscaled to the GPU's texture limit, set with [`ImageLoader::set_max_side`] before the first
    /// request.
    pub fn new(max_pixels: u64, wake: impl Fn() + Send + Sync + 'static) -> Self {
        let (req_tx, req_rx) = mpsc::channel::<Request>();
        let (res_tx, res_rx) = mpsc::channel::<Decoded>();
        let req_rx = Arc::new(Mutex::new(req_rx));
        let wanted: Arc<Mutex<HashSet<PathBuf>>> = Arc::default();
        let wake = Arc::new(wake);
        for i in 0..WORKERS {
            let req_rx = Arc::clone(&req_rx);
            let res_tx = res_tx.clone();
            let wanted = Arc::clone(&wanted);
            let wake = Arc::clone(&wake);
            let spawned = std::thread::Builder::new()
                .name(format!("clickwork-decode-{i}"))
                .spawn(move || {
                    loop {
                        let request = match req_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(request) = request else { return };
                        let still_wanted = wanted
                            .lock()
                            .map(|w| w.contains(&request.path))
                            .unwrap_or(true);
                        if !still_wanted {
                            continue;
                        }
                        let result =
                            decode_for_display(&request.path, max_pixels, request.max_side)
                                .map(|image| {
                                    let size = [image.width as usize, image.height as usize];
                                    let color =
                                        egui::ColorImage::from_rgba_unmultiplied(size, &image.rgba);
                                    let full = egui::vec2(
                                        image.full_width as f32,
                                        image.full_height as f32,
                                    );
                                    (color, full)
                                })
                                .map_err(|e| e.to_string());
                        if res_tx.send((request.path, result)).is_err() {
                            return;
                        }
                        wake();
                    }
                });
            if let Err(e) = spawned {
                log::error!("cannot start an image decoder thread: {e}");
            }
        }
        ImageLoader {
            requests: req_tx,
            results: res_rx,
            wanted,
            cache: HashMap::new(),
            tick: 0,
            max_side: 2048,
        }
    }

    /// The largest texture side the GPU takes (egui reports it once the window exists).
    pub fn set_max_side(&mut self, max_side: usize) {
        self.max_side = u32::try_from(max_side).unwrap_or(u32::MAX).max(1);
    }

    /// The state of `path`, asking for it to be decoded if it is not known yet.
    pub fn get(&mut self, path: &Path) -> ImageState {
        self.tick += 1;
        if let Some((state, used)) = self.cache.get_mut(path) {
            *used = self.tick;
            return state.clone();
        }
        self.request(path);
        ImageState::Loading
    }

    /// The state of `path` if it is known, without asking for it.
    pub fn peek(&self, path: &Path) -> Option<&ImageState> {
        self.cache.get(path).map(|(state, _)| state)
    }

    /// Decodes `paths` ahead of time so that moving to them shows the image at once. Loads of images no
    /// longer current or prefetched are cancelled.
    pub fn keep_only_and_prefetch(&mut self, current: &Path, prefetch: &[PathBuf]) {
        let mut keep: HashSet<PathBuf> = prefetch.iter().cloned().collect();
        keep.insert(current.to_owned());
        if let Ok(mut wanted) = self.wanted.lock() {
            wanted.retain(|p| keep.contains(p));
        }
        for path in prefetch {
            if !self.cache.contains_key(path) {
                self.request(path);
            }
        }
    }

    /// Forgets `path` so that the next [`ImageLoader::get`] decodes it again.
    pub fn forget(&mut self, path: &Path) {
        self.cache.remove(path);
    }

    fn request(&mut self, path: &Path) {
        self.tick += 1;
        self.cache
            .insert(path.to_owned(), (ImageState::Loading, self.tick));
        if let Ok(mut wanted) = self.wanted.lock() {
            wanted.insert(path.to_owned());
        }
        let request = Request {
            path: path.to_owned(),
            max_side: self.max_side,
        };
        if self.requests.send(request).is_err() {
            self.cache.insert(
                path.to_owned(),
                (
                    ImageState::Failed(format!("{}: no decoder thread is running", path.display())),
                    self.tick,
                ),
            );
        }
    }

    /// Turns finished decodes into textures. Returns true when something changed.
    pub fn poll(&mut self, ctx: &egui::Context) -> bool {
        let mut changed = false;
        while let Ok((path, result)) = self.results.try_recv() {
            self.store(ctx, path, result);
            changed = true;
        }
        changed
    }

    fn store(
        &mut self,
        ctx: &egui::Context,
        path: PathBuf,
        result: Result<(egui::ColorImage, egui::Vec2), String>,
    ) {
        if let Ok(mut wanted) = self.wanted.lock() {
            wanted.remove(&path);
        }
        let state = match result {
            Ok((color, _)) if color.size.iter().any(|&side| side > self.max_side as usize) => {
                // Decoded for a larger texture limit than this GPU has: decode again, smaller.
                self.cache.remove(&path);
                self.request(&path);
                return;
            }
            Ok((color, full_size)) => {
                let texture = ctx.load_texture(
                    path.display().to_string(),
                    color,
                    egui::TextureOptions::LINEAR,
                );
                ImageState::Ready { texture, full_size }
            }
            Err(message) => ImageState::Failed(message),
        };
        self.tick += 1;
        self.cache.insert(path, (state, self.tick));
        self.evict();
    }

    /// Blocks until `path` is decoded (or failed), up to `timeout`; for tests and benchmarks, which must
    /// not poll with sleeps. Returns true when it is settled.
    pub fn wait_for(
        &mut self,
        ctx: &egui::Context,
        path: &Path,
        timeout: std::time::Duration,
    ) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            self.poll(ctx);
            if !matches!(self.peek(path), None | Some(ImageState::Loading)) {
                return true;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.results.recv_timeout(left) {
                Ok((done, result)) => self.store(ctx, done, result),
                Err(_) => return false,
            }
        }
    }

    /// True while any image is still decoding.
    pub fn is_busy(&self) -> bool {
        self.cache
            .values()
            .any(|(s, _)| matches!(s, ImageState::Loading))
    }

    fn evict(&mut self) {
        while self.cache.len() > CACHE_SIZE {
            let oldest = self
                .cache
                .iter()
                .filter(|(_, (s, _))| !matches!(s, ImageState::Loading))
                .min_by_key(|(_, (_, used))| *used)
                .map(|(p, _)| p.clone());
            match oldest {
                Some(path) => {
                    self.cache.remove(&path);
                }
                None => break,
            }
        }
    }
}
