/**
 * The virtualised thumbnail grid: only the rows in view (plus a little overscan) exist in the DOM, the
 * scroll position is read once per animation frame, and the pages of items under the viewport are
 * fetched as it moves. Keyboard: a listbox with aria-activedescendant (arrows, Home/End, PageUp/Down,
 * Enter opens the image).
 */
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type RefObject,
} from "react";
import { useApi } from "../../api/context.js";
import { useAppInfo } from "../../app/app-store.js";
import { ensureRange, PAGE_SIZE, useDatasetsStore } from "./store.js";
import { Thumb, thumbLabel } from "./Thumb.js";

const GAP = 8;
const CAPTION = 22;
const OVERSCAN_ROWS = 2;
const FETCH_DELAY_MS = 60;

export function useElementSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ width: el.clientWidth, height: el.clientHeight }));
    ro.observe(el);
    setSize({ width: el.clientWidth, height: el.clientHeight });
    return () => ro.disconnect();
  }, [ref]);
  return size;
}

export function ThumbGrid({ onOpen }: { onOpen: (index: number) => void }) {
  const api = useApi();
  const info = useAppInfo();
  const folder = useDatasetsStore((s) => s.folder);
  const total = useDatasetsStore((s) => s.total) ?? 0;
  const totalKnown = useDatasetsStore((s) => s.total !== null);
  const pages = useDatasetsStore((s) => s.pages);
  const active = useDatasetsStore((s) => s.active);
  const tile = useDatasetsStore((s) => s.thumbSize);
  const generation = useDatasetsStore((s) => s.generation);
  const scroller = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(scroller);
  const [scrollTop, setScrollTop] = useState(0);
  const frame = useRef(0);

  const columns = Math.max(1, Math.floor((width - GAP) / (tile + GAP)));
  const rowHeight = tile + CAPTION + GAP;
  const rows = Math.ceil(total / columns);
  const firstRow = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN_ROWS);
  const lastRow = Math.min(rows - 1, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN_ROWS);
  const firstItem = firstRow * columns;
  const lastItem = Math.min(total - 1, (lastRow + 1) * columns - 1);

  const onScroll = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setScrollTop(scroller.current?.scrollTop ?? 0);
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  // A new folder or filter starts at the top; coming back from the image view shows (and focuses) the
  // image that was open.
  const shownGeneration = useRef(generation);
  useEffect(() => {
    if (shownGeneration.current === generation) return;
    shownGeneration.current = generation;
    if (scroller.current) scroller.current.scrollTop = 0;
    setScrollTop(0);
  }, [generation]);
  const placed = useRef(false);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (placed.current || !el || width === 0) return;
    placed.current = true;
    const { active: at, focusGrid } = useDatasetsStore.getState();
    const top = Math.floor(at / columns) * rowHeight;
    if (top + rowHeight > el.clientHeight)
      el.scrollTop = Math.max(0, top - el.clientHeight / 2 + rowHeight / 2);
    setScrollTop(el.scrollTop);
    if (focusGrid) {
      el.focus({ preventScroll: true });
      useDatasetsStore.setState({ focusGrid: false });
    }
  }, [width, columns, rowHeight]);

  // Pages are asked for once the viewport rests for a moment: dragging the scrollbar across 100k
  // images does not fetch every page it passes.
  useEffect(() => {
    if (total === 0 || lastItem < firstItem) return;
    const t = setTimeout(() => ensureRange(api, firstItem, lastItem), FETCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [api, firstItem, lastItem, total, pages]);

  const scrollToIndex = (index: number) => {
    const el = scroller.current;
    if (!el) return;
    const top = Math.floor(index / columns) * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight)
      el.scrollTop = top + rowHeight - el.clientHeight + GAP;
  };

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(total - 1, index));
    useDatasetsStore.setState({ active: next });
    scrollToIndex(next);
  };

  const onKey = (e: KeyboardEvent) => {
    if (total === 0) return;
    const pageRows = Math.max(1, Math.floor(height / rowHeight));
    const moves: Record<string, number> = {
      ArrowRight: active + 1,
      ArrowLeft: active - 1,
      ArrowDown: active + columns,
      ArrowUp: active - columns,
      PageDown: active + pageRows * columns,
      PageUp: active - pageRows * columns,
      Home: 0,
      End: total - 1,
    };
    const target = moves[e.key];
    if (target !== undefined) {
      e.preventDefault();
      moveTo(target);
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      onOpen(active);
    }
  };

  const tiles = [];
  for (let i = firstItem; i <= lastItem; i++) {
    const item = pages.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];
    const row = Math.floor(i / columns);
    const col = i % columns;
    const style = {
      transform: `translate(${GAP + col * (tile + GAP)}px, ${row * rowHeight + GAP}px)`,
      width: tile,
    };
    tiles.push(
      <div
        key={item ? `${generation}:${item.key}` : `pending:${i}`}
        id={`ds-tile-${i}`}
        role="option"
        aria-selected={i === active}
        aria-setsize={total}
        aria-posinset={i + 1}
        aria-label={item ? thumbLabel(item) : `Image ${i + 1} (loading)`}
        className={`ds-thumb ${i === active ? "ds-thumb--active" : ""} ${item ? "" : "ds-thumb--pending"}`}
        style={style}
        onClick={() => useDatasetsStore.setState({ active: i })}
        onDoubleClick={() => onOpen(i)}
      >
        {item && folder ? (
          <Thumb item={item} info={info} folder={folder.id} />
        ) : (
          <div className="ds-thumb__frame" />
        )}
      </div>,
    );
  }

  return (
    <div
      ref={scroller}
      className="ds-grid"
      role="listbox"
      aria-label="Images"
      aria-activedescendant={
        total > 0 && active >= firstItem && active <= lastItem ? `ds-tile-${active}` : undefined
      }
      tabIndex={0}
      onScroll={onScroll}
      onKeyDown={onKey}
    >
      <div className="ds-grid__space" style={{ height: rows * rowHeight + GAP }}>
        {tiles}
      </div>
      {total === 0 && totalKnown && <div className="ds-grid__empty">No images match the filter.</div>}
    </div>
  );
}
