/**
 * The image editor's canvas (react-konva): the image, its boxes, a transformer on the selected box.
 * Select mode: click a box to select it, drag it to move, drag its handles to resize, drag the empty
 * image to pan. Draw mode: drag anywhere to draw a new box. Space-drag or the middle button pans in
 * either mode; the wheel zooms about the pointer.
 */
import type Konva from "konva";
import type { KonvaEventObject } from "konva/lib/Node";
import { useEffect, useRef, useState } from "react";
import { Image as KImage, Layer, Rect, Stage, Text, Transformer } from "react-konva";
import type { AppInfo, Box } from "../../../src-workers/host/contract/index.js";
import { classOf } from "../../app/app-store.js";
import { addBox, select, updateBox, useEditorStore } from "./editor-store.js";
import { panTo, setSizes, useViewStore, zoomBy } from "./view-store.js";

interface Props {
  src: string;
  width: number;
  height: number;
  stageW: number;
  stageH: number;
  info: AppInfo | null;
  spaceHeld: boolean;
}

type Drag =
  | { kind: "pan"; startX: number; startY: number; ox: number; oy: number }
  | { kind: "draw"; x0: number; y0: number; x1: number; y1: number };

function useHtmlImage(src: string): HTMLImageElement | null {
  const [img, setImg] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    const el = new window.Image();
    let live = true;
    el.onload = () => live && setImg(el);
    el.src = src;
    setImg(null);
    return () => {
      live = false;
    };
  }, [src]);
  return img;
}

function toPixels(b: Box, W: number, H: number) {
  return { x: (b.cx - b.w / 2) * W, y: (b.cy - b.h / 2) * H, w: b.w * W, h: b.h * H };
}

export function EditorCanvas({ src, width: W, height: H, stageW, stageH, info, spaceHeld }: Props) {
  const img = useHtmlImage(src);
  const boxes = useEditorStore((s) => s.boxes);
  const selected = useEditorStore((s) => s.selected);
  const mode = useEditorStore((s) => s.mode);
  const drawClass = useEditorStore((s) => s.drawClass);
  const showLabels = useEditorStore((s) => s.showLabels);
  const { scale, ox, oy } = useViewStore();
  const [drag, setDrag] = useState<Drag | null>(null);
  const rects = useRef(new Map<number, Konva.Rect>());
  const transformer = useRef<Konva.Transformer>(null);

  // Fit when the image (or its size) changes; keep the view when only the stage resizes.
  useEffect(() => setSizes({ stageW, stageH }, false), [stageW, stageH]);
  useEffect(() => setSizes({ imageW: Math.max(1, W), imageH: Math.max(1, H) }, true), [src, W, H]);

  useEffect(() => {
    const tr = transformer.current;
    if (!tr) return;
    const node = selected !== null && mode === "select" ? rects.current.get(selected) : undefined;
    tr.nodes(node ? [node] : []);
    tr.getLayer()?.batchDraw();
  }, [selected, boxes, mode]);

  const imagePoint = (stage: Konva.Stage) => {
    const p = stage.getPointerPosition() ?? { x: 0, y: 0 };
    return {
      sx: p.x,
      sy: p.y,
      x: Math.min(W, Math.max(0, (p.x - ox) / scale)),
      y: Math.min(H, Math.max(0, (p.y - oy) / scale)),
    };
  };

  const onDown = (e: KonvaEventObject<MouseEvent>) => {
    const stage = e.target.getStage();
    if (!stage) return;
    const p = imagePoint(stage);
    const onEmpty = e.target === stage || e.target.name() === "image";
    if (e.evt.button === 1 || spaceHeld || (mode === "select" && onEmpty && e.evt.button === 0)) {
      e.evt.preventDefault();
      if (onEmpty && mode === "select" && !spaceHeld) select(null);
      setDrag({ kind: "pan", startX: p.sx, startY: p.sy, ox, oy });
    } else if (mode === "draw" && e.evt.button === 0) {
      setDrag({ kind: "draw", x0: p.x, y0: p.y, x1: p.x, y1: p.y });
    }
  };

  const onMove = (e: KonvaEventObject<MouseEvent>) => {
    const stage = e.target.getStage();
    if (!drag || !stage) return;
    const p = imagePoint(stage);
    if (drag.kind === "pan") panTo(drag.ox + p.sx - drag.startX, drag.oy + p.sy - drag.startY);
    else setDrag({ ...drag, x1: p.x, y1: p.y });
  };

  const onUp = () => {
    if (drag?.kind === "draw") {
      const x0 = Math.min(drag.x0, drag.x1);
      const x1 = Math.max(drag.x0, drag.x1);
      const y0 = Math.min(drag.y0, drag.y1);
      const y1 = Math.max(drag.y0, drag.y1);
      // A click (or a box under 3 screen pixels) is not a box.
      if ((x1 - x0) * scale >= 3 && (y1 - y0) * scale >= 3)
        addBox({
          cls: drawClass,
          cx: (x0 + x1) / 2 / W,
          cy: (y0 + y1) / 2 / H,
          w: (x1 - x0) / W,
          h: (y1 - y0) / H,
        });
    }
    setDrag(null);
  };

  const onWheel = (e: KonvaEventObject<WheelEvent>) => {
    e.evt.preventDefault();
    const p = e.target.getStage()?.getPointerPosition();
    zoomBy(e.evt.deltaY < 0 ? 1.15 : 1 / 1.15, p?.x, p?.y);
  };

  const boxFromNode = (node: Konva.Rect, cls: number): Box => {
    const w = node.width() * node.scaleX();
    const h = node.height() * node.scaleY();
    node.scale({ x: 1, y: 1 });
    return { cls, cx: (node.x() + w / 2) / W, cy: (node.y() + h / 2) / H, w: w / W, h: h / H };
  };

  const cursor =
    drag?.kind === "pan" ? "grabbing" : spaceHeld ? "grab" : mode === "draw" ? "crosshair" : "default";
  const fontSize = 12 / scale;

  return (
    <Stage
      width={stageW}
      height={stageH}
      scaleX={scale}
      scaleY={scale}
      x={ox}
      y={oy}
      style={{ cursor }}
      onMouseDown={onDown}
      onMouseMove={onMove}
      onMouseUp={onUp}
      onMouseLeave={onUp}
      onWheel={onWheel}
    >
      <Layer>
        <Rect x={0} y={0} width={W} height={H} fill="#0c0d0f" name="image" />
        {img && <KImage image={img} x={0} y={0} width={W} height={H} name="image" />}
        {boxes.map((b, i) => {
          const { x, y, w, h } = toPixels(b, W, H);
          const colour = classOf(info, b.cls).colour;
          const isSel = i === selected;
          return (
            <Rect
              key={i}
              ref={(node) => {
                if (node) rects.current.set(i, node);
                else rects.current.delete(i);
              }}
              x={x}
              y={y}
              width={w}
              height={h}
              stroke={colour}
              strokeWidth={isSel ? 2.5 : 1.5}
              strokeScaleEnabled={false}
              fill={`${colour}${isSel ? "33" : "10"}`}
              listening={mode === "select" && !spaceHeld}
              draggable={mode === "select" && !spaceHeld}
              onMouseDown={(e) => {
                e.cancelBubble = true;
                select(i);
              }}
              onDragStart={() => select(i)}
              onDragEnd={(e) => updateBox(i, boxFromNode(e.target as Konva.Rect, b.cls))}
              onTransformEnd={(e) => updateBox(i, boxFromNode(e.target as Konva.Rect, b.cls))}
            />
          );
        })}
        {showLabels &&
          boxes.map((b, i) => {
            const { x, y } = toPixels(b, W, H);
            return (
              <Text
                key={`t${i}`}
                x={x}
                y={Math.max(0, y - fontSize * 1.3)}
                text={`${i + 1} ${classOf(info, b.cls).name}`}
                fontSize={fontSize}
                fill={classOf(info, b.cls).colour}
                shadowColor="#000"
                shadowBlur={3 / scale}
                shadowOpacity={0.9}
                listening={false}
              />
            );
          })}
        {drag?.kind === "draw" && (
          <Rect
            x={Math.min(drag.x0, drag.x1)}
            y={Math.min(drag.y0, drag.y1)}
            width={Math.abs(drag.x1 - drag.x0)}
            height={Math.abs(drag.y1 - drag.y0)}
            stroke={classOf(info, drawClass).colour}
            strokeWidth={1.5}
            strokeScaleEnabled={false}
            dash={[6 / scale, 4 / scale]}
            listening={false}
          />
        )}
        <Transformer
          ref={transformer}
          rotateEnabled={false}
          flipEnabled={false}
          keepRatio={false}
          ignoreStroke
          anchorSize={9}
          anchorStroke="#8ccaff"
          anchorFill="#1d2024"
          borderStroke="#8ccaff"
          boundBoxFunc={(oldBox, newBox) => (newBox.width < 2 || newBox.height < 2 ? oldBox : newBox)}
        />
      </Layer>
    </Stage>
  );
}
