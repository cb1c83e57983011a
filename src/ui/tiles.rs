//! The tiles of huge images as textures. The canvas says which tiles its view needs; those not held
//! are cut from the image's [`Pyramid`] on the thread pool (never on the window's thread) and become
//! textures when they arrive. Tiles are kept within a byte budget, the least recently wanted dropped
//! first, and a cut nobody wants any more (the view moved on) is skipped before it starts.

use crate::domain::pyramid::{Pyramid, TileId};
use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// Texture bytes the tiles of all images may hold: a 2560×1440 screen at full resolution needs about
/// 28 tiles of 1 MiB, so this keeps several screens' worth for panning back.
const BUDGET_BYTES: usize = 192 << 20;

/// How photos are sampled: smoothly when shrunk, and zoomed in, as the square pixels they are (a
/// worker outlining at 800 % sees where each pixel ends, not a blur).
pub const PHOTO_TEXTURE: egui::TextureOptions = egui::TextureOptions {
    magnification: egui::TextureFilter::Nearest,
    minification: egui::TextureFilter::Linear,
    ..egui::TextureOptions::LINEAR
};

/// A tile the GPU holds, as the canvas draws it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResidentTile {
    /// The texture.
    pub texture: egui::TextureId,
    /// The tile's own pixels in the texture (the rest is its border).
    pub uv: egui::Rect,
    /// What it covers, in full-resolution image pixels.
    pub covers: egui::Rect,
}

/// What the canvas needs of a tiled image in one frame; cheap to clone.
#[derive(Clone, Debug)]
pub struct TiledImage {
    /// The image's levels.
    pub pyramid: Arc<Pyramid>,
    /// The tiles that are textures now.
    pub resident: Arc<HashMap<TileId, ResidentTile>>,
}

struct Held {
    handle: egui::TextureHandle,
    tile: ResidentTile,
    bytes: usize,
    used: u64,
}

/// One image's tiles.
pub struct TileStore {
    serial: u64,
    name: String,
    pyramid: Arc<Pyramid>,
    held: HashMap<TileId, Held>,
    pending: HashSet<TileId>,
    snapshot: Arc<HashMap<TileId, ResidentTile>>,
}

impl TileStore {
    /// What the canvas draws from.
    pub fn image(&self) -> TiledImage {
        TiledImage {
            pyramid: Arc::clone(&self.pyramid),
            resident: Arc::clone(&self.snapshot),
        }
    }

    /// True while tiles asked for have not arrived.
    pub fn is_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    fn refresh(&mut self) {
        self.snapshot = Arc::new(self.held.iter().map(|(id, h)| (*id, h.tile)).collect());
    }
}

/// A tile cut on the pool, on its way to becoming a texture.
struct Cut {
    serial: u64,
    id: TileId,
    image: egui::ColorImage,
    tile: ResidentTile,
}

/// Cuts tiles in the background and turns them into textures.
pub struct TileCutter {
    done_tx: Sender<Cut>,
    done: Receiver<Cut>,
    /// The tiles wanted now, by image serial: a cut not in here when its turn comes is skipped.
    wanted: Arc<Mutex<HashSet<(u64, TileId)>>>,
    wake: Arc<dyn Fn() + Send + Sync>,
    next_serial: u64,
    tick: u64,
}

impl TileCutter {
    /// A cutter that calls `wake` when a tile is ready.
    pub fn new(wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        let (done_tx, done) = mpsc::channel();
        TileCutter {
            done_tx,
            done,
            wanted: Arc::default(),
            wake,
            next_serial: 0,
            tick: 0,
        }
    }

    /// A store for a newly decoded image; `name` names its textures.
    pub fn store(&mut self, name: String, pyramid: Pyramid) -> TileStore {
        self.next_serial += 1;
        TileStore {
            serial: self.next_serial,
            name,
            pyramid: Arc::new(pyramid),
            held: HashMap::new(),
            pending: HashSet::new(),
            snapshot: Arc::default(),
        }
    }

    /// Calls off every cut still asked for of `store`, which is being let go: its queued cuts then
    /// end at once instead of cutting tiles for nobody (and holding its pyramid meanwhile).
    pub fn release(&mut self, store: &TileStore) {
        if let Ok(mut wanted) = self.wanted.lock() {
            wanted.retain(|(serial, _)| *serial != store.serial);
        }
    }

    /// Asks for `tiles` of `store`: those held are marked used, the others are cut. Cuts asked for
    /// before and not wanted now are called off.
    pub fn want(&mut self, store: &mut TileStore, tiles: &[TileId]) {
        self.tick += 1;
        let wanted_now: HashSet<TileId> = tiles.iter().copied().collect();
        store.pending.retain(|id| wanted_now.contains(id));
        if let Ok(mut wanted) = self.wanted.lock() {
            wanted.retain(|(serial, id)| *serial != store.serial || wanted_now.contains(id));
        }
        for &id in tiles {
            if let Some(held) = store.held.get_mut(&id) {
                held.used = self.tick;
                continue;
            }
            if !store.pending.insert(id) {
                continue;
            }
            if let Ok(mut wanted) = self.wanted.lock() {
                wanted.insert((store.serial, id));
            }
            let (serial, pyramid) = (store.serial, Arc::clone(&store.pyramid));
            let (wanted, done, wake) = (
                Arc::clone(&self.wanted),
                self.done_tx.clone(),
                Arc::clone(&self.wake),
            );
            rayon::spawn(move || {
                let still_wanted = wanted
                    .lock()
                    .map(|w| w.contains(&(serial, id)))
                    .unwrap_or(true);
                if !still_wanted {
                    return;
                }
                let Some(pixels) = pyramid.tile(id) else {
                    return;
                };
                let size = [pixels.width as usize, pixels.height as usize];
                let image = egui::ColorImage::from_rgba_unmultiplied(size, &pixels.rgba);
                let (w, h) = (pixels.width as f32, pixels.height as f32);
                let [ix, iy, iw, ih] = pixels.inner.map(|v| v as f32);
                let [l, t, r, b] = pixels.covers.map(|v| v as f32);
                let tile = ResidentTile {
                    texture: egui::TextureId::default(),
                    uv: egui::Rect::from_min_max(
                        egui::pos2(ix / w, iy / h),
                        egui::pos2((ix + iw) / w, (iy + ih) / h),
                    ),
                    covers: egui::Rect::from_min_max(egui::pos2(l, t), egui::pos2(r, b)),
                };
                if done
                    .send(Cut {
                        serial,
                        id,
                        image,
                        tile,
                    })
                    .is_ok()
                {
                    wake();
                }
            });
        }
    }

    /// Turns arrived tiles into textures of the stores they belong to (a tile of an image no longer
    /// held is dropped), then keeps all stores within the budget. Returns true when a store changed.
    pub fn poll<'a>(
        &mut self,
        ctx: &egui::Context,
        stores: impl Iterator<Item = &'a mut TileStore>,
    ) -> bool {
        let arrived: Vec<Cut> = self.done.try_iter().collect();
        if arrived.is_empty() {
            return false;
        }
        let mut stores: Vec<&mut TileStore> = stores.collect();
        let mut changed = false;
        for cut in arrived {
            let Some(store) = stores.iter_mut().find(|s| s.serial == cut.serial) else {
                continue;
            };
            store.pending.remove(&cut.id);
            if let Ok(mut wanted) = self.wanted.lock() {
                wanted.remove(&(cut.serial, cut.id));
            }
            let bytes = cut.image.pixels.len() * 4;
            let name = format!(
                "{}#{}/{}/{}",
                store.name, cut.id.level, cut.id.col, cut.id.row
            );
            let handle = ctx.load_texture(name, cut.image, PHOTO_TEXTURE);
            let tile = ResidentTile {
                texture: handle.id(),
                ..cut.tile
            };
            store.held.insert(
                cut.id,
                Held {
                    handle,
                    tile,
                    bytes,
                    used: self.tick,
                },
            );
            changed = true;
        }
        self.evict(&mut stores);
        for store in stores {
            store.refresh();
        }
        changed
    }

    /// Drops the least recently wanted tiles until all stores fit the budget; the tiles wanted in
    /// the last frame stay whatever they cost.
    fn evict(&self, stores: &mut [&mut TileStore]) {
        let total: usize = stores
            .iter()
            .flat_map(|s| s.held.values())
            .map(|h| h.bytes)
            .sum();
        if total <= BUDGET_BYTES {
            return;
        }
        let mut by_age: Vec<(u64, usize, TileId, usize)> = stores
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.held.iter().map(move |(id, h)| (h.used, i, *id, h.bytes)))
            .filter(|(used, ..)| *used < self.tick)
            .collect();
        by_age.sort_unstable();
        let mut over = total - BUDGET_BYTES;
        for (_, i, id, bytes) in by_age {
            if over == 0 {
                break;
            }
            if let Some(store) = stores.get_mut(i)
                && let Some(held) = store.held.remove(&id)
            {
                drop(held.handle);
                over = over.saturating_sub(bytes);
            }
        }
    }

    /// Blocks until a tile arrives or `timeout` passes (tests and benchmarks, which must not poll
    /// with sleeps); the tile is handed back for [`TileCutter::poll`] to take.
    pub fn wait(&mut self, timeout: std::time::Duration) -> bool {
        match self.done.recv_timeout(timeout) {
            Ok(cut) => {
                // Put it back in order: the channel has no "peek", so resend it to ourselves.
                self.done_tx.send(cut).is_ok()
            }
            Err(_) => false,
        }
    }
}
