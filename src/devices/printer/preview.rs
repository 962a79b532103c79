//! A PNG of what a printer prints, drawn from the DECODED byte stream (so the preview
//! shows the bytes' effect, not the intent): 203 dpi dots, Font A cells of 12×24 dots
//! (Hanzi 24×24), `GS !` sizes, alignment, bold, native QR codes, feeds and the cut.
//!
//! Needs a CJK font at run time: Debian's `fonts-noto-cjk` (or `fonts-wqy-microhei`,
//! `fonts-wqy-zenhei`), or any font file named by `HALLQ_FONT`.

use std::path::{Path, PathBuf};

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};
use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};

use crate::protocol::escpos_decode::{Align, Block, DecodeError, Receipt, TextLine, decode_all};
use crate::protocol::ticket::PaperWidth;

/// Font files tried in order, with the collection index (SC face of Noto Sans CJK).
const FONT_CANDIDATES: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    (
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        0,
    ),
];

const CELL_W: u32 = 12;
const CELL_H: u32 = 24;
/// Default line spacing (ESC 2): 30 dots.
const LINE_GAP: u32 = 6;
const MARGIN: u32 = 16;

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error(
        "no Chinese font found (tried {tried}): install Debian's fonts-noto-cjk \
         (apt-get install fonts-noto-cjk) or set HALLQ_FONT to a .ttf/.ttc/.otf file"
    )]
    NoFont { tried: String },
    #[error("font {path}: {message}")]
    BadFont { path: PathBuf, message: String },
    #[error("the byte stream does not decode: {0}")]
    Decode(#[from] DecodeError),
    #[error("the byte stream holds no ticket")]
    Empty,
    #[error("QR code: {0}")]
    Qr(String),
    #[error("cannot write the PNG: {0}")]
    Image(#[from] image::ImageError),
}

/// A loaded CJK font.
pub struct PreviewFont {
    font: FontVec,
    pub path: PathBuf,
}

impl PreviewFont {
    /// `HALLQ_FONT`, else the first installed candidate that has Hanzi.
    pub fn find() -> Result<PreviewFont, PreviewError> {
        let mut tried = Vec::new();
        if let Some(path) = std::env::var_os("HALLQ_FONT") {
            return PreviewFont::load(Path::new(&path), 0);
        }
        for (path, index) in FONT_CANDIDATES {
            let path = Path::new(path);
            tried.push(path.display().to_string());
            if path.exists()
                && let Ok(f) =
                    PreviewFont::load(path, *index).or_else(|_| PreviewFont::load(path, 0))
            {
                return Ok(f);
            }
        }
        Err(PreviewError::NoFont {
            tried: tried.join(", "),
        })
    }

    pub fn load(path: &Path, index: u32) -> Result<PreviewFont, PreviewError> {
        let bad = |message: String| PreviewError::BadFont {
            path: path.to_owned(),
            message,
        };
        let data = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let font = FontVec::try_from_vec_and_index(data, index).map_err(|e| bad(e.to_string()))?;
        if font.glyph_id('号').0 == 0 {
            return Err(bad("has no Chinese characters".to_owned()));
        }
        Ok(PreviewFont {
            font,
            path: path.to_owned(),
        })
    }
}

/// Renders the first ticket in `bytes` on paper `width` wide.
pub fn render_bytes(
    bytes: &[u8],
    width: PaperWidth,
    font: &PreviewFont,
) -> Result<GrayImage, PreviewError> {
    let receipt = decode_all(bytes)?
        .into_iter()
        .next()
        .ok_or(PreviewError::Empty)?;
    render_receipt(&receipt, width, font)
}

fn block_height(block: &Block) -> Result<u32, PreviewError> {
    Ok(match block {
        Block::Text(l) => CELL_H * u32::from(l.height) + LINE_GAP,
        Block::Feed(n) => (CELL_H + LINE_GAP) * u32::from(*n),
        Block::Qr { data, module, .. } => {
            let code = qr(data)?;
            u32::try_from(code.width()).unwrap_or(0) * u32::from(*module) + 2 * LINE_GAP
        }
    })
}

fn qr(data: &str) -> Result<QrCode, PreviewError> {
    QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| PreviewError::Qr(e.to_string()))
}

/// Renders one decoded ticket.
pub fn render_receipt(
    receipt: &Receipt,
    width: PaperWidth,
    font: &PreviewFont,
) -> Result<GrayImage, PreviewError> {
    let dots = width.dots();
    let mut height = 2 * MARGIN + 12;
    for b in &receipt.blocks {
        height += block_height(b)?;
    }
    let mut img = GrayImage::from_pixel(dots + 2 * MARGIN, height, Luma([255]));
    let mut y = MARGIN;
    for b in &receipt.blocks {
        match b {
            Block::Text(line) => draw_line(&mut img, font, line, dots, y),
            Block::Qr { data, module, .. } => {
                draw_qr(&mut img, &qr(data)?, *module, dots, y + LINE_GAP)
            }
            Block::Feed(_) => {}
        }
        y += block_height(b)?;
    }
    if receipt.cut.is_some() {
        // Dashed cut line.
        let cy = height - MARGIN / 2 - 2;
        for x in (0..img.width()).step_by(12) {
            for dx in 0..6 {
                if x + dx < img.width() {
                    img.put_pixel(x + dx, cy, Luma([120]));
                }
            }
        }
    }
    Ok(img)
}

fn draw_line(img: &mut GrayImage, font: &PreviewFont, line: &TextLine, dots: u32, top: u32) {
    let w = u32::from(line.width.max(1));
    let h = u32::from(line.height.max(1));
    let cols: u32 = line
        .text
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum();
    let line_w = cols * CELL_W * w;
    let left = match line.align {
        Align::Left => 0,
        Align::Center => dots.saturating_sub(line_w) / 2,
        Align::Right => dots.saturating_sub(line_w),
    } + MARGIN;
    // PxScale is the ascent-to-descent height; size the em square to the cell instead.
    let em_to_px = font.font.height_unscaled() / font.font.units_per_em().unwrap_or(1000.0);
    let em_w = (CELL_H * w) as f32 * 0.95;
    let em_h = (CELL_H * h) as f32 * 0.95;
    let scale = PxScale {
        x: em_w * em_to_px,
        y: em_h * em_to_px,
    };
    let scaled = font.font.as_scaled(scale);
    let baseline = top as f32 + em_h * 0.88;
    let mut x = left;
    for c in line.text.chars() {
        let cell = if c.is_ascii() { CELL_W } else { 2 * CELL_W } * w;
        let glyph_id = font.font.glyph_id(c);
        // Font A Latin characters are half-width: narrow the proportional glyph to fit.
        let (glyph_scale, advance) = if c.is_ascii() {
            let natural = scaled.h_advance(glyph_id);
            let squeeze = if natural > cell as f32 * 0.9 {
                cell as f32 * 0.9 / natural
            } else {
                1.0
            };
            let s = PxScale {
                x: scale.x * squeeze,
                y: scale.y,
            };
            (s, natural * squeeze)
        } else {
            (scale, scaled.h_advance(glyph_id))
        };
        let gx = x as f32 + ((cell as f32 - advance) / 2.0).max(0.0);
        let glyph = glyph_id.with_scale_and_position(glyph_scale, point(gx, baseline));
        if let Some(outlined) = font.font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            let passes: &[i32] = if line.bold { &[0, 1] } else { &[0] };
            for dx in passes {
                outlined.draw(|px, py, coverage| {
                    let ix = bounds.min.x as i32 + px as i32 + dx;
                    let iy = bounds.min.y as i32 + py as i32;
                    if ix >= 0 && iy >= 0 && (ix as u32) < img.width() && (iy as u32) < img.height()
                    {
                        let p = img.get_pixel_mut(ix as u32, iy as u32);
                        let ink = (coverage.clamp(0.0, 1.0) * 255.0) as u8;
                        p.0[0] = p.0[0].min(255 - ink);
                    }
                });
            }
        }
        x += cell;
    }
}

fn draw_qr(img: &mut GrayImage, code: &QrCode, module: u8, dots: u32, top: u32) {
    let module = u32::from(module.max(1));
    let n = u32::try_from(code.width()).unwrap_or(0);
    let size = n * module;
    let left = MARGIN + dots.saturating_sub(size) / 2;
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let i = u32::try_from(i).unwrap_or(0);
        let (mx, my) = (i % n, i / n);
        for dy in 0..module {
            for dx in 0..module {
                let (px, py) = (left + mx * module + dx, top + my * module + dy);
                if px < img.width() && py < img.height() {
                    img.put_pixel(px, py, Luma([0]));
                }
            }
        }
    }
}
