//! The wasm heap: power-of-two size classes with one free list each, carved from `memory.grow`.
//! dlmalloc, the default, is about 5 KB of wasm (2 KB brotli, 7% of the SDK); this is a few
//! hundred bytes. Memory is never returned (wasm memory cannot shrink anyway); freed blocks are
//! reused by later allocations of the same class, so the heap stays at the peak of what the
//! bounded queues hold.

/// Class `k` holds blocks of `16 << k` bytes; blocks are 16-aligned, class 0 is 16 bytes.
pub const MIN_SHIFT: u32 = 4;
pub const CLASSES: usize = 28;
const PAGE: usize = 65536;

/// The size class serving `size` bytes, or `None` when too large.
pub fn class_of(size: usize) -> Option<usize> {
    let size = size.max(1 << MIN_SHIFT);
    let k = (usize::BITS - (size - 1).leading_zeros()).saturating_sub(MIN_SHIFT) as usize;
    (k < CLASSES).then_some(k)
}

pub fn class_size(k: usize) -> usize {
    1 << (k as u32 + MIN_SHIFT)
}

/// Free lists plus a bump region; `grow(pages)` returns the previous size in pages, or `usize::MAX`.
pub struct Heap {
    free: [usize; CLASSES],
    next: usize,
    end: usize,
}

impl Heap {
    pub const fn new() -> Heap {
        Heap { free: [0; CLASSES], next: 0, end: 0 }
    }

    /// # Safety
    /// `grow` must behave like `memory.grow`, and freed blocks must come from this heap.
    pub unsafe fn alloc(&mut self, size: usize, align: usize, grow: impl Fn(usize) -> usize) -> *mut u8 {
        let Some(k) = class_of(size.max(align)) else { return core::ptr::null_mut() };
        let bytes = class_size(k);
        let Some(slot) = self.free.get_mut(k) else { return core::ptr::null_mut() };
        if *slot != 0 && align <= 16 {
            let block = *slot;
            // the first word of a free block links to the next one
            *slot = unsafe { *(block as *const usize) };
            return block as *mut u8;
        }
        let start = (self.next + align.max(16) - 1) & !(align.max(16) - 1);
        if start == 0 || start + bytes > self.end {
            let need = if start == 0 { bytes + align.max(16) } else { start + bytes - self.end };
            let pages = need.div_ceil(PAGE).max(16);
            let prev = grow(pages);
            if prev == usize::MAX {
                return core::ptr::null_mut();
            }
            let base = prev * PAGE;
            if base != self.end || self.next == 0 {
                // a fresh, non-adjacent region (or the first one): bump from its start
                self.next = base;
            }
            self.end = base + pages * PAGE;
            return unsafe { self.alloc(size, align, grow) };
        }
        self.next = start + bytes;
        start as *mut u8
    }

    /// # Safety
    /// `ptr` must have been returned by `alloc` of this heap with the same `size` and `align`.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, size: usize, align: usize) {
        if let Some(k) = class_of(size.max(align)) {
            if let Some(slot) = self.free.get_mut(k) {
                unsafe { *(ptr as *mut usize) = *slot };
                *slot = ptr as usize;
            }
        }
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

#[cfg(all(target_arch = "wasm32", not(test)))]
mod global {
    use super::{class_of, Heap};
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    struct Wasm(UnsafeCell<Heap>);
    // SAFETY: wasm32-unknown-unknown without atomics has one thread.
    unsafe impl Sync for Wasm {}

    fn grow(pages: usize) -> usize {
        core::arch::wasm32::memory_grow(0, pages)
    }

    unsafe impl GlobalAlloc for Wasm {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            unsafe { (*self.0.get()).alloc(l.size(), l.align(), grow) }
        }
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            unsafe { (*self.0.get()).dealloc(p, l.size(), l.align()) }
        }
        unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
            // same class: the block already has room
            if l.align() <= 16 && class_of(l.size().max(l.align())) == class_of(new_size.max(l.align())) {
                return p;
            }
            let Ok(nl) = Layout::from_size_align(new_size, l.align()) else { return core::ptr::null_mut() };
            let q = unsafe { self.alloc(nl) };
            if !q.is_null() {
                unsafe {
                    core::ptr::copy_nonoverlapping(p, q, l.size().min(new_size));
                    self.dealloc(p, l);
                }
            }
            q
        }
    }

    #[global_allocator]
    static HEAP: Wasm = Wasm(UnsafeCell::new(Heap::new()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A linear memory made of a real buffer: `grow` hands out its pages in order, as
    /// memory.grow does, starting after `initial` pages (the "static data").
    struct Mem {
        _buf: Vec<u8>,
        first: usize,
        pages: usize,
        used: RefCell<usize>,
    }
    impl Mem {
        fn new(initial: usize) -> Mem {
            let buf = vec![0u8; 64 << 20];
            let first = (buf.as_ptr() as usize).div_ceil(PAGE);
            Mem { pages: buf.len() / PAGE - 1, _buf: buf, first, used: RefCell::new(initial) }
        }
        fn grow(&self) -> impl Fn(usize) -> usize + '_ {
            move |pages| {
                let prev = *self.used.borrow();
                if prev + pages > self.pages {
                    return usize::MAX;
                }
                *self.used.borrow_mut() += pages;
                self.first + prev
            }
        }
    }

    #[test]
    fn classes() {
        assert_eq!(class_of(0), Some(0));
        assert_eq!(class_of(16), Some(0));
        assert_eq!(class_of(17), Some(1));
        assert_eq!(class_of(32), Some(1));
        assert_eq!(class_of(1000), Some(6));
        assert_eq!(class_size(6), 1024);
        assert_eq!(class_of(usize::MAX / 2), None);
    }

    #[test]
    fn blocks_do_not_overlap_and_are_reused() {
        let mem = Mem::new(2);
        let mut h = Heap::new();
        let mut live: Vec<(usize, usize)> = Vec::new();
        let mut seed = 12345u64;
        for i in 0..5000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let size = 1 + (seed >> 33) as usize % 3000;
            let p = unsafe { h.alloc(size, 8, mem.grow()) } as usize;
            assert!(p != 0 && p.is_multiple_of(16));
            assert!(p >= (mem.first + 2) * PAGE, "below the initial memory");
            for &(q, qs) in &live {
                assert!(p + size <= q || q + qs <= p, "overlap at step {i}");
            }
            live.push((p, size));
            if seed.is_multiple_of(3) {
                let (q, qs) = live.swap_remove((seed >> 40) as usize % live.len());
                unsafe { h.dealloc(q as *mut u8, qs, 8) };
            }
        }
        // a freed block is handed out again for its class
        let a = unsafe { h.alloc(100, 8, mem.grow()) };
        unsafe { h.dealloc(a, 100, 8) };
        assert_eq!(unsafe { h.alloc(120, 8, mem.grow()) }, a);
    }

    #[test]
    fn large_and_aligned() {
        let mem = Mem::new(1);
        let mut h = Heap::new();
        let big = unsafe { h.alloc(300_000, 8, mem.grow()) } as usize;
        let small = unsafe { h.alloc(10, 8, mem.grow()) } as usize;
        assert!(small >= big + 300_000 || small + 16 <= big);
        let aligned = unsafe { h.alloc(10, 4096, mem.grow()) } as usize;
        assert_eq!(aligned % 4096, 0);
        let failing = Heap::new().alloc_fail();
        assert!(failing.is_null());
    }

    impl Heap {
        fn alloc_fail(&mut self) -> *mut u8 {
            unsafe { self.alloc(10, 8, |_| usize::MAX) }
        }
    }
}
