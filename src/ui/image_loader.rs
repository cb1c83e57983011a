//! Images decode on worker threads and arrive over a channel; each becomes one texture, or, when it is
//! too large for one, a pyramid shown tile by tile ([`crate::ui::tiles`]), kept in a small cache.
//! Loads nobody wants any more are dropped before decoding.

use crate::domain::image_decode::{Displayable, WHOLE_MAX_PIXELS, decode_displayable, is_tiled};
use crate::domain::pyramid::TileId;
use crate::ui::tiles::{PHOTO_TEXTURE, TileCutter, TileStore, TiledImage};
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
    /// Ready, as tiles: too large for one texture.
    Tiled {
        /// The pyramid and the tiles the GPU holds now.
        image: TiledImage,
        /// Full-resolution size.
        full_size: egui::Vec2,
    },
    /// Could not be shown; the message names the file.
    Failed(String),
}

struct Request {
    path: PathBuf,
    /// The GPU's largest texture side when the request was made.
    max_side: u32,
    /// Images of more pixels than this are tiled.
    whole_max_pixels: u64,
}

/// A decoded image: converted to egui's format on the worker thread (the premultiplying conversion
/// of a 12-megapixel photo takes tens of milliseconds: not for the UI thread), with its full size; or
/// a pyramid.
enum Ready {
    Whole(egui::ColorImage, egui::Vec2),
    Tiled(crate::domain::pyramid::Pyramid),
}

type Decoded = (PathBuf, Result<Ready, String>);

/// A cached image and when it was last asked for; a tiled one keeps its tiles beside it.
struct Entry {
    state: ImageState,
    used: u64,
    tiles: Option<TileStore>,
}

/// Decodes images in the background and keeps their textures.
pub struct ImageLoader {
    requests: Sender<Request>,
    results: Receiver<Decoded>,
    wanted: Arc<Mutex<HashSet<PathBuf>>>,
    cache: HashMap<PathBuf, Entry>,
    tick: u64,
    max_side: u32,
    whole_max_pixels: u64,
    cutter: TileCutter,
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
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(wake);
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
                        let result = decode_displayable(
                            &request.path,
                            max_pixels,
                            request.max_side,
                            request.whole_max_pixels,
                        )
                        .map(|decoded| match decoded {
                            Displayable::Whole(image) => {
                                let size = [image.width as usize, image.height as usize];
                                let color =
                                    egui::ColorImage::from_rgba_unmultiplied(size, &image.rgba);
                                let full =
                                    egui::vec2(image.full_width as f32, image.full_height as f32);
                                Ready::Whole(color, full)
                            }
                            Displayable::Tiled(pyramid) => Ready::Tiled(pyramid),
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
            whole_max_pixels: WHOLE_MAX_PIXELS,
            cutter: TileCutter::new(wake),
        }
    }

    /// Images of more than `pixels` are shown as tiles (tests tile small images with it). Images
    /// already decoded keep their form until forgotten.
    pub fn set_whole_max_pixels(&mut self, pixels: u64) {
        self.whole_max_pixels = pixels;
    }

    /// Asks for the tiles of `path`'s pyramid the canvas's view needs; does nothing for an image
    /// that is not tiled.
    pub fn want_tiles(&mut self, path: &Path, tiles: &[TileId]) {
        if let Some(store) = self.cache.get_mut(path).and_then(|e| e.tiles.as_mut()) {
            self.cutter.want(store, tiles);
        }
    }

    /// True when an image of `width`×`height` would be shown as tiles (a side over the texture
    /// limit, or more pixels than one texture should hold).
    pub fn would_tile(&self, width: u32, height: u32) -> bool {
        is_tiled(width, height, self.max_side, self.whole_max_pixels)
    }

    /// How many images are held as pyramids (each may hold gigabytes).
    pub fn pyramids_held(&self) -> usize {
        self.cache.values().filter(|e| e.tiles.is_some()).count()
    }

    /// True while tiles the canvas asked for are being cut.
    pub fn tiles_pending(&self) -> bool {
        self.cache
            .values()
            .filter_map(|e| e.tiles.as_ref())
            .any(TileStore::is_pending)
    }

    /// Blocks until the tiles asked for have arrived, up to `timeout` (tests and benchmarks).
    pub fn wait_for_tiles(&mut self, ctx: &egui::Context, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            self.poll(ctx);
            if !self.tiles_pending() {
                return true;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() || !self.cutter.wait(left) {
                return false;
            }
        }
    }

    /// The largest texture side the GPU takes (egui reports it once the window exists).
    pub fn set_max_side(&mut self, max_side: usize) {
        self.max_side = u32::try_from(max_side).unwrap_or(u32::MAX).max(1);
    }

    /// The state of `path`, asking for it to be decoded if it is not known yet.
    pub fn get(&mut self, path: &Path) -> ImageState {
        self.tick += 1;
        if let Some(entry) = self.cache.get_mut(path) {
            entry.used = self.tick;
            return entry.state.clone();
        }
        self.request(path);
        ImageState::Loading
    }

    /// The state of `path` if it is known, without asking for it.
    pub fn peek(&self, path: &Path) -> Option<&ImageState> {
        self.cache.get(path).map(|e| &e.state)
    }

    /// Decodes `paths` ahead of time so that moving to them shows the image at once. Loads of images no
    /// longer current or prefetched are cancelled.
    pub fn keep_only_and_prefetch(&mut self, current: &Path, prefetch: &[PathBuf]) {
        let mut keep: HashSet<PathBuf> = prefetch.iter().cloned().collect();
        keep.insert(current.to_owned());
        if let Ok(mut wanted) = self.wanted.lock() {
            wanted.retain(|p| keep.contains(p));
        }
        // A pyramid may hold gigabytes: only the current and coming images keep theirs.
        let let_go: Vec<PathBuf> = self
            .cache
            .iter()
            .filter(|(path, e)| e.tiles.is_some() && !keep.contains(*path))
            .map(|(path, _)| path.clone())
            .collect();
        for path in let_go {
            self.forget(&path);
        }
        for path in prefetch {
            if !self.cache.contains_key(path) {
                self.request(path);
            }
        }
    }

    /// Forgets `path` so that the next [`ImageLoader::get`] decodes it again.
    pub fn forget(&mut self, path: &Path) {
        if let Some(Entry {
            tiles: Some(store), ..
        }) = self.cache.remove(path)
        {
            self.cutter.release(&store);
        }
    }

    fn put(&mut self, path: PathBuf, state: ImageState, tiles: Option<TileStore>) {
        self.tick += 1;
        let used = self.tick;
        self.cache.insert(path, Entry { state, used, tiles });
    }

    fn request(&mut self, path: &Path) {
        self.put(path.to_owned(), ImageState::Loading, None);
        if let Ok(mut wanted) = self.wanted.lock() {
            wanted.insert(path.to_owned());
        }
        let request = Request {
            path: path.to_owned(),
            max_side: self.max_side,
            whole_max_pixels: self.whole_max_pixels,
        };
        if self.requests.send(request).is_err() {
            let message = format!("{}: no decoder thread is running", path.display());
            self.put(path.to_owned(), ImageState::Failed(message), None);
        }
    }

    /// Turns finished decodes into textures. Returns true when something changed.
    pub fn poll(&mut self, ctx: &egui::Context) -> bool {
        let mut changed = false;
        while let Ok((path, result)) = self.results.try_recv() {
            self.store(ctx, path, result);
            changed = true;
        }
        let stores = self.cache.values_mut().filter_map(|e| e.tiles.as_mut());
        if self.cutter.poll(ctx, stores) {
            for entry in self.cache.values_mut() {
                if let (Some(tiles), ImageState::Tiled { image, .. }) =
                    (&entry.tiles, &mut entry.state)
                {
                    *image = tiles.image();
                }
            }
            changed = true;
        }
        changed
    }

    fn store(&mut self, ctx: &egui::Context, path: PathBuf, result: Result<Ready, String>) {
        if let Ok(mut wanted) = self.wanted.lock() {
            wanted.remove(&path);
        }
        let (state, tiles) = match result {
            Ok(Ready::Whole(color, _))
                if color.size.iter().any(|&side| side > self.max_side as usize) =>
            {
                // Decoded for a larger texture limit than this GPU has: decode again, smaller.
                self.cache.remove(&path);
                self.request(&path);
                return;
            }
            Ok(Ready::Whole(color, full_size)) => {
                let texture = ctx.load_texture(path.display().to_string(), color, PHOTO_TEXTURE);
                (ImageState::Ready { texture, full_size }, None)
            }
            Ok(Ready::Tiled(pyramid)) => {
                let (w, h) = pyramid.size();
                let store = self.cutter.store(path.display().to_string(), pyramid);
                let state = ImageState::Tiled {
                    image: store.image(),
                    full_size: egui::vec2(w as f32, h as f32),
                };
                (state, Some(store))
            }
            Err(message) => (ImageState::Failed(message), None),
        };
        self.put(path, state, tiles);
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
            .any(|e| matches!(e.state, ImageState::Loading))
    }

    fn evict(&mut self) {
        while self.cache.len() > CACHE_SIZE {
            let oldest = self
                .cache
                .iter()
                .filter(|(_, e)| !matches!(e.state, ImageState::Loading))
                .min_by_key(|(_, e)| e.used)
                .map(|(p, _)| p.clone());
            match oldest {
                Some(path) => {
                    self.forget(&path);
                }
                None => break,
            }
        }
    }
}
