import { describe, expect, it } from "vitest";
import { isGoogleAppsType, matchesMimeTypes } from "./mime.ts";

describe("matchesMimeTypes", () => {
  it("matches exact types and whole families", () => {
    expect(matchesMimeTypes("image/png", ["image/png"])).toBe(true);
    expect(matchesMimeTypes("image/heic", ["image/*"])).toBe(true);
    expect(matchesMimeTypes("video/mp4", ["image/*"])).toBe(false);
    expect(matchesMimeTypes("image/png", ["image/jpeg"])).toBe(false);
    expect(matchesMimeTypes("video/mp4", ["image/*", "video/mp4"])).toBe(true);
  });

  it("ignores case and parameters", () => {
    expect(matchesMimeTypes("Image/JPEG; charset=binary", ["image/jpeg"])).toBe(true);
    expect(matchesMimeTypes("image/jpeg", ["IMAGE/*"])).toBe(true);
  });

  it("does not let a family pattern match a prefix of another type", () => {
    expect(matchesMimeTypes("imagery/png", ["image/*"])).toBe(false);
    expect(matchesMimeTypes("application/vnd.google-apps.photo", ["image/*"])).toBe(false);
  });

  it("matches nothing without patterns and nothing malformed", () => {
    expect(matchesMimeTypes("image/png", [])).toBe(false);
    expect(matchesMimeTypes("", ["image/*"])).toBe(false);
    expect(matchesMimeTypes("image", ["image/*"])).toBe(false);
  });
});

describe("isGoogleAppsType", () => {
  it("recognises Docs editor types", () => {
    expect(isGoogleAppsType("application/vnd.google-apps.spreadsheet")).toBe(true);
    expect(isGoogleAppsType("application/pdf")).toBe(false);
  });
});
