/**
 * The inference player: the source video with the detections drawn in sync on a canvas above it, a class
 * filter, a confidence slider (applies live), a per-class timeline and the downloads.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type JSX } from "react";
import type { InferResult } from "../../../src-workers/host/contract/index.js";
import { useApi } from "../../api/context.js";
import { Button, Checkbox, RangeField, Section } from "../../ui/index.js";
import { useAppInfo } from "../../app/app-store.js";
import { baseName } from "../services/describe.js";
import { fileUrl } from "../services/media.js";
import { classTracks, containRect, drawDetections, frameAt, sampleIndexAt } from "./overlay.js";
import { Timeline } from "./Timeline.js";
import { plural } from "../services/plural.js";

const PALETTE = ["#56b4e9", "#e69f00", "#cc79a7", "#009e73", "#f0e442", "#d55e00", "#0072b2", "#a0d468"];

const DOWNLOADS: readonly { file: string; label: string }[] = [
  { file: "annotated.mp4", label: "Download annotated video" },
  { file: "detections.jsonl", label: "Download detections (JSONL)" },
  { file: "summary.csv", label: "Download summary (CSV)" },
  { file: "run.json", label: "Download run.json" },
];

interface Drawn {
  readonly frame: number;
  readonly sampleFrame: number | undefined;
  readonly boxes: number;
}

export function Player({ result, initialConf }: { result: InferResult; initialConf?: number }): JSX.Element {
  const api = useApi();
  const info = useAppInfo();
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [minConf, setMinConf] = useState(initialConf ?? 0.25);
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  const [time, setTime] = useState(0);
  const [drawn, setDrawn] = useState<Drawn>({ frame: 0, sampleFrame: undefined, boxes: 0 });

  const colourOf = useCallback(
    (cls: number): string =>
      info?.classes.find((c) => c.id === cls)?.colour ?? PALETTE[cls % PALETTE.length] ?? "#56b4e9",
    [info],
  );
  const duration = result.frames > 0 ? result.frames / result.fps : (result.samples.at(-1)?.time ?? 0);
  const tracks = useMemo(() => classTracks(result, minConf), [result, minConf]);
  const allTracks = useMemo(() => classTracks(result, 0), [result]);

  // The drawing reads options through a ref, so the frame loop never restarts when they change.
  const opts = useRef({ minConf, hidden, colourOf });
  opts.current = { minConf, hidden, colourOf };

  const draw = useCallback(
    (mediaTime: number) => {
      const video = videoRef.current;
      const canvas = canvasRef.current;
      if (!video || !canvas) return;
      const dpr = window.devicePixelRatio || 1;
      const w = video.clientWidth;
      const h = video.clientHeight;
      if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
        canvas.width = Math.round(w * dpr);
        canvas.height = Math.round(h * dpr);
        canvas.style.width = `${w}px`;
        canvas.style.height = `${h}px`;
      }
      const ctx = canvas.getContext("2d");
      if (!ctx) return;
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      const frame = frameAt(mediaTime, result.fps);
      const i = sampleIndexAt(result.samples, frame);
      const sample = i >= 0 ? result.samples[i] : undefined;
      const dets = sample?.detections ?? [];
      const pic = containRect(w, h, video.videoWidth || result.width, video.videoHeight || result.height);
      // Boxes are in the source's pixels; the element shows the decoded size (the same, or scaled).
      const sx = (video.videoWidth || result.width) / result.width;
      const boxes = drawDetections(ctx, dets, { ...pic, scale: pic.scale * sx }, dpr, opts.current);
      setDrawn((d) =>
        d.frame === frame && d.sampleFrame === sample?.frame && d.boxes === boxes
          ? d
          : { frame, sampleFrame: sample?.frame, boxes },
      );
    },
    [result],
  );

  // Follow the presented frame: requestVideoFrameCallback where the browser has it, else rAF while playing.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let stopped = false;
    let vfc: number | undefined;
    let raf: number | undefined;
    const onTime = (): void => {
      setTime(video.currentTime);
      draw(video.currentTime);
    };
    if (typeof video.requestVideoFrameCallback === "function") {
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
        if (stopped) return;
        draw(meta.mediaTime);
        vfc = video.requestVideoFrameCallback(onFrame);
      };
      vfc = video.requestVideoFrameCallback(onFrame);
    } else {
      const loop = (): void => {
        if (stopped) return;
        if (!video.paused) draw(video.currentTime);
        raf = requestAnimationFrame(loop);
      };
      raf = requestAnimationFrame(loop);
    }
    const events = ["timeupdate", "seeked", "loadeddata", "pause"] as const;
    for (const e of events) video.addEventListener(e, onTime);
    const ro = new ResizeObserver(() => draw(video.currentTime));
    ro.observe(video);
    return () => {
      stopped = true;
      if (vfc !== undefined) video.cancelVideoFrameCallback(vfc);
      if (raf !== undefined) cancelAnimationFrame(raf);
      for (const e of events) video.removeEventListener(e, onTime);
      ro.disconnect();
    };
  }, [draw]);

  // A changed filter or confidence redraws the current frame at once, playing or paused.
  useEffect(() => {
    const video = videoRef.current;
    if (video) draw(video.currentTime);
  }, [minConf, hidden, colourOf, draw]);

  const seek = (t: number): void => {
    const video = videoRef.current;
    if (!video) return;
    video.currentTime = t;
    setTime(t);
  };
  const toggle = (cls: number, show: boolean): void =>
    setHidden((h) => {
      const next = new Set(h);
      if (show) next.delete(cls);
      else next.add(cls);
      return next;
    });
  const files = Object.values(result.files);
  const fileNamed = (name: string): string | undefined =>
    files.find((p) => baseName(p) === name) ?? result.files[name];

  return (
    <div className="player">
      <div className="player__stage">
        <video
          ref={videoRef}
          className="player__video"
          src={fileUrl(api, result.source)}
          controls
          preload="auto"
          aria-label={`Playback of ${baseName(result.source)}`}
        />
        <canvas
          ref={canvasRef}
          className="player__overlay"
          aria-hidden="true"
          data-frame={drawn.frame}
          data-sample-frame={drawn.sampleFrame ?? ""}
          data-boxes={drawn.boxes}
        />
      </div>
      <p className="player__readout" aria-label="Detections shown">
        Frame {drawn.frame}
        {drawn.sampleFrame !== undefined ? ` (sampled frame ${drawn.sampleFrame})` : ""}:{" "}
        {plural(drawn.boxes, "box", "boxes")} · {result.width}×{result.height} at {result.fps.toFixed(2)} fps,
        every {result.stride === 1 ? "frame" : `${result.stride}th frame`} sampled (
        {plural(result.samples.length, "sample")})
      </p>
      <div className="player__controls">
        <Section title="Classes">
          <div className="player__classes">
            {allTracks.map((t) => (
              <Checkbox
                key={t.cls}
                label={
                  <>
                    <span
                      className="player__swatch"
                      style={{ background: colourOf(t.cls) }}
                      aria-hidden="true"
                    />
                    {t.name} ({t.count})
                  </>
                }
                checked={!hidden.has(t.cls)}
                onChange={(v) => toggle(t.cls, v)}
              />
            ))}
            {allTracks.length === 0 && <p className="dim">Nothing was detected.</p>}
            {allTracks.length > 1 && (
              <span className="player__class-actions">
                <Button size="sm" onClick={() => setHidden(new Set())}>
                  Show all classes
                </Button>
                <Button size="sm" onClick={() => setHidden(new Set(allTracks.map((t) => t.cls)))}>
                  Hide all classes
                </Button>
              </span>
            )}
          </div>
          <RangeField
            label="Confidence filter"
            value={minConf}
            onChange={setMinConf}
            min={0}
            max={1}
            step={0.01}
            format={(v) => `${Math.round(v * 100)}%`}
          />
        </Section>
        <Section title="Downloads">
          <ul className="player__downloads">
            {DOWNLOADS.map(({ file, label }) => {
              const path = fileNamed(file);
              return path ? (
                <li key={file}>
                  <a className="ui-btn ui-btn--secondary" href={fileUrl(api, path, true)} download={file}>
                    {label}
                  </a>
                </li>
              ) : null;
            })}
          </ul>
          <p className="dim mono player__dir">{result.dir}</p>
        </Section>
      </div>
      <Section title="Timeline">
        <Timeline
          tracks={tracks}
          duration={duration}
          time={time}
          hidden={hidden}
          colourOf={colourOf}
          onSeek={seek}
        />
      </Section>
    </div>
  );
}
