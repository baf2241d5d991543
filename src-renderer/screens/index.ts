/** The screens of the left navigation, in order (Ctrl/Alt+1..6 follow this order). */
import type { ComponentType } from "react";
import { ConvertScreen } from "./convert/index.js";
import { DatasetsScreen } from "./datasets/index.js";
import { ExportScreen } from "./export/index.js";
import { InferScreen } from "./infer/index.js";
import { ServicesScreen } from "./services/index.js";
import { TrainScreen } from "./train/index.js";

export interface ScreenEntry {
  id: string;
  title: string;
  /** One line in the navigation's tooltip. */
  description: string;
  icon: string;
  Component: ComponentType;
}

export const screens: readonly ScreenEntry[] = [
  {
    id: "datasets",
    title: "Datasets",
    description: "Browse, filter and edit annotations",
    icon: "▦",
    Component: DatasetsScreen,
  },
  {
    id: "convert",
    title: "Convert",
    description: "Convert annotation formats to YOLO",
    icon: "⇄",
    Component: ConvertScreen,
  },
  {
    id: "train",
    title: "Train",
    description: "Train YOLO11 and watch it learn",
    icon: "◔",
    Component: TrainScreen,
  },
  {
    id: "export",
    title: "Export",
    description: "ONNX, TensorRT and RKNN exports",
    icon: "⤓",
    Component: ExportScreen,
  },
  {
    id: "infer",
    title: "Inference",
    description: "Run a model on a video",
    icon: "▶",
    Component: InferScreen,
  },
  {
    id: "services",
    title: "Services",
    description: "Queue consumer and augmentation",
    icon: "⚙",
    Component: ServicesScreen,
  },
];
