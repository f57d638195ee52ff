"use strict";
// Summarises S3 object notifications. CommonJS with a callback handler, as many older functions
// are written: it runs on the Node 20 image, whose aws-lambda-ric 3.x still supports callbacks
// (aws-lambda-ric 4.x, Node 22 and later, refuses them). Layer packages resolve through NODE_PATH.
const { objectKey } = require("@acme/lambda-kit");
const { Logger } = require("@aws-lambda-powertools/logger");

const logger = new Logger();

const KINDS = { jpg: "image", jpeg: "image", png: "image", gif: "image", csv: "table", json: "document", pdf: "document" };

function kindOf(key) {
  const dot = key.lastIndexOf(".");
  return (dot > 0 && KINDS[key.slice(dot + 1).toLowerCase()]) || "other";
}

class InvalidS3Event extends Error {
  constructor(message) {
    super(message);
    this.name = "InvalidS3Event";
  }
}

exports.handler = (event, context, callback) => {
  logger.addContext(context);
  const records = Array.isArray(event && event.Records) ? event.Records : [];
  const foreign = records.filter((record) => record.eventSource !== "aws:s3");
  if (records.length === 0 || foreign.length > 0) {
    const source = foreign.length > 0 ? foreign[0].eventSource : "no Records";
    callback(new InvalidS3Event(`expected S3 event notifications, got ${source}`));
    return;
  }
  const objects = records.map((record) => {
    const key = objectKey(record);
    return {
      bucket: record.s3.bucket.name,
      key,
      sizeBytes: record.s3.object.size,
      event: record.eventName,
      kind: kindOf(key),
    };
  });
  for (const object of objects) logger.info("object", object);
  callback(null, { processed: objects.length, objects });
};
