"use strict";

/** S3 event notifications URL-encode object keys, with "+" for a space. */
function objectKey(record) {
  return decodeURIComponent(String(record.s3.object.key).replace(/\+/g, " "));
}

exports.objectKey = objectKey;
