"use strict";
// CommonJS with `exports.name =` assignments: CommonJS handlers require() it and ES module
// handlers import its names (Node detects them statically), on every Node major of the family.
const http = require("./http.js");
const sqs = require("./sqs.js");
const deadline = require("./deadline.js");
const s3 = require("./s3.js");

exports.json = http.json;
exports.problem = http.problem;
exports.readJsonBody = http.readJsonBody;
exports.requestLine = http.requestLine;
exports.createRouter = http.createRouter;
exports.processBatch = sqs.processBatch;
exports.workUntilDeadline = deadline.workUntilDeadline;
exports.objectKey = s3.objectKey;
