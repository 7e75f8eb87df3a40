import { describe, expect, it } from "vitest";
import { validationMessage } from "./validation-messages.ts";

describe("validationMessage", () => {
  it("names the parameter and the rule it broke", () => {
    const message = validationMessage(
      [
        {
          keyword: "maximum",
          instancePath: "/limit",
          schemaPath: "#/properties/limit",
          params: {},
          message: "must be <= 1000",
        },
      ],
      "querystring",
    );
    expect(message).toBe("query parameter 'limit' must be <= 1000");
  });

  it("names unknown and missing fields, once each, with where they are nested", () => {
    const message = validationMessage(
      [
        {
          keyword: "boolean",
          instancePath: "/extra",
          schemaPath: "#/additionalProperties",
          params: {},
          message: "schema is false",
        },
        {
          keyword: "additionalProperties",
          instancePath: "",
          schemaPath: "#",
          params: { additionalProperties: ["extra"] },
          message: "x",
        },
        {
          keyword: "required",
          instancePath: "/apiKeySecretRef",
          schemaPath: "#",
          params: { requiredProperties: ["name"] },
          message: "x",
        },
        {
          keyword: "type",
          instancePath: "/destination/bucket",
          schemaPath: "#",
          params: {},
          message: "must be string",
        },
      ],
      "body",
    );
    expect(message).toBe(
      "unknown field 'extra'; missing field 'name' in 'apiKeySecretRef'; field 'destination.bucket' must be string",
    );
  });

  it("lists the allowed values of an enumeration", () => {
    const message = validationMessage(
      [
        {
          keyword: "enum",
          instancePath: "/state",
          schemaPath: "#/properties/state",
          params: { allowedValues: ["pending", "failed"] },
          message: "must be equal to one of the allowed values",
        },
      ],
      "querystring",
    );
    expect(message).toBe("query parameter 'state' must be one of pending, failed");
  });

  it("describes a body of the wrong kind as the body", () => {
    const message = validationMessage(
      [{ keyword: "type", instancePath: "", schemaPath: "#", params: {}, message: "must be object" }],
      "body",
    );
    expect(message).toBe("the body must be object");
  });
});
