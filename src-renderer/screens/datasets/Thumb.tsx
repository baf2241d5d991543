/** One grid tile: the thumbnail with its boxes drawn over it (SVG in the image's own pixel space). */
import { memo } from "react";
import { MEDIA, type AppInfo, type DatasetItem } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { classOf } from "../../app/app-store.js";

/** Thumbnails are made at one size so the host's cache serves every tile size. */
const THUMB_PX = 256;

export interface ThumbProps {
  item: DatasetItem;
  /** The open folder's id (the thumbnail's URL names it). */
  folder: string;
  info: AppInfo | null;
}

/** The boxes of an item as SVG rects; the viewBox is the image, so "meet" lines them up with object-fit: contain. */
export const BoxOverlay = memo(function BoxOverlay({
  item,
  info,
}: {
  item: DatasetItem;
  info: AppInfo | null;
}) {
  const W = item.width || 1;
  const H = item.height || 1;
  return (
    <svg
      className="ds-thumb__boxes"
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="xMidYMid meet"
      aria-hidden="true"
    >
      {item.boxes.map((b, i) => (
        <rect
          key={i}
          x={(b.cx - b.w / 2) * W}
          y={(b.cy - b.h / 2) * H}
          width={b.w * W}
          height={b.h * H}
          stroke={classOf(info, b.cls).colour}
          vectorEffect="non-scaling-stroke"
        />
      ))}
    </svg>
  );
});

// The URL is made here rather than in the grid's per-tile loop: the grid renders on every scroll frame,
// and a memoised tile whose props did not change skips this.
export const Thumb = memo(function Thumb({ item, folder, info }: ThumbProps) {
  const api = useApi();
  const src = api.mediaUrl(MEDIA.thumb, { folder, key: item.key, size: THUMB_PX });
  return (
    <>
      <div className="ds-thumb__frame">
        <img
          className="ds-thumb__img"
          src={src}
          alt=""
          loading="lazy"
          decoding="async"
          draggable={false}
          // An image the host cannot decode shows as an empty frame with its problem badge, not a broken icon.
          onError={(e) => e.currentTarget.classList.add("ds-thumb__img--broken")}
        />
        <BoxOverlay item={item} info={info} />
        {item.problems.length > 0 && (
          <span className="ds-thumb__problem" title={item.problems.map((p) => p.message).join("\n")}>
            !
          </span>
        )}
      </div>
      <div className="ds-thumb__caption">
        <span className="ds-thumb__stem">{item.stem}</span>
        <span className="ds-thumb__count">{item.boxes.length}</span>
      </div>
    </>
  );
});

export function thumbLabel(item: DatasetItem): string {
  const boxes = `${item.boxes.length} box${item.boxes.length === 1 ? "" : "es"}`;
  const problems =
    item.problems.length > 0
      ? `, ${item.problems.length} problem${item.problems.length === 1 ? "" : "s"}`
      : "";
  return `${item.stem}${item.split ? ` (${item.split})` : ""}: ${boxes}${problems}`;
}
