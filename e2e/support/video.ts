/** The shapes test video, encoded so a browser's <video> plays it (see tests/support/shapes-video.ts). */
import { makeShapesVideo as make } from "../../tests/support/shapes-video.js";

export { FIXTURES, VIDEO } from "../../tests/support/shapes-video.js";
export const makeShapesVideo = (file: string): Promise<void> => make(file, "browser");
