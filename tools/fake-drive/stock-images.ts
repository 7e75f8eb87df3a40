/**
 * The looks generated trees draw from: camera JPEGs with EXIF (make, model, time, rotation, GPS) and
 * screenshots as PNG, at sizes from 32 px to 24 MP. Few looks keep checksum prefixes shared.
 */
import type { ImageSpec } from "./images.ts";

export const STOCK_IMAGES = {
  eiffelTower: {
    format: "jpeg",
    width: 4000,
    height: 3000,
    color: [70, 130, 180],
    photo: {
      cameraMake: "Canon",
      cameraModel: "Canon EOS R6",
      time: "2023:06:14 09:12:33",
      rotation: 0,
      location: { latitude: 48.8584, longitude: 2.2945, altitude: 35 },
    },
  },
  libertyPortrait: {
    format: "jpeg",
    width: 4032,
    height: 3024,
    color: [222, 184, 135],
    photo: {
      cameraMake: "Apple",
      cameraModel: "iPhone 13 Pro",
      time: "2024:02:03 17:45:02",
      rotation: 1,
      location: { latitude: 40.6892, longitude: -74.0445, altitude: 3 },
    },
  },
  tokyoTower: {
    format: "jpeg",
    width: 6000,
    height: 4000,
    color: [205, 92, 92],
    photo: {
      cameraMake: "SONY",
      cameraModel: "ILCE-7M3",
      time: "2021:10:30 18:03:41",
      rotation: 0,
      location: { latitude: 35.6586, longitude: 139.7454, altitude: 40 },
    },
  },
  parkHd: {
    format: "jpeg",
    width: 1920,
    height: 1080,
    color: [34, 139, 34],
    photo: { cameraMake: "Google", cameraModel: "Pixel 7", time: "2022:11:20 12:00:00", rotation: 0 },
  },
  upsideDown: {
    format: "jpeg",
    width: 1024,
    height: 768,
    color: [255, 215, 0],
    photo: {
      cameraMake: "NIKON CORPORATION",
      cameraModel: "NIKON D750",
      time: "2019:08:23 14:05:11",
      rotation: 2,
    },
  },
  turnedLeft: {
    format: "jpeg",
    width: 1200,
    height: 800,
    color: [147, 112, 219],
    photo: { cameraMake: "FUJIFILM", cameraModel: "X-T4", time: "2020:05:01 07:30:00", rotation: 3 },
  },
  scan: { format: "jpeg", width: 640, height: 480, color: [245, 245, 220] },
  thumbnail: { format: "jpeg", width: 32, height: 32, color: [0, 128, 128] },
  screenshot: { format: "png", width: 1280, height: 720, color: [30, 30, 30] },
  avatar: { format: "png", width: 512, height: 512, color: [255, 105, 180] },
  wallpaper: { format: "png", width: 2560, height: 1440, color: [25, 25, 112] },
  icon: { format: "png", width: 16, height: 16, color: [255, 69, 0] },
} as const satisfies Record<string, ImageSpec>;

export type StockImageName = keyof typeof STOCK_IMAGES;
