/** What inference produces, per sampled frame or image. */

export interface InferDetection {
  /** x1 y1 x2 y2 in source pixels, clipped to the frame. */
  readonly xyxy: [number, number, number, number];
  readonly conf: number;
  readonly cls: number;
  readonly name: string;
  /** Track id across sampled frames (video only); null while a track is unconfirmed. */
  readonly track: number | null;
}

export interface FrameResult {
  /** Frame number in the video, from 0. */
  readonly frame: number;
  /** Presentation time, seconds from the start. */
  readonly time: number;
  readonly detections: InferDetection[];
}

export interface ImageResult {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly detections: InferDetection[];
}
