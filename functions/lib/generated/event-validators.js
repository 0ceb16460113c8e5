// GENERATED FILE, do not edit: regenerate with `npm run generate:validators` (scripts/generate-validators.ts)
// from events/schemas/{org-created,org-deleted,org-provisioned,org-provisioning-failed,org-deprovisioned,org-restored,tenant-credentials-rotated}.schema.json
// by ajv 8.20.0 (standalone code) with ajv-formats 3.0.1 (date-time).
// An ES module that require()s ajv's runtime helpers: loaded through esbuild (the Lambdas) and ts-jest (tests).
// Exports: orgCreatedDetail, orgDeletedDetail, orgProvisionedDetail, orgProvisioningFailedDetail, orgDeprovisionedDetail, orgRestoredDetail, tenantCredentialsRotatedDetail.
"use strict";
export const orgCreatedDetail = validate13;
const schema12 = {"type":"object","required":["orgId"],"properties":{"orgId":{"$ref":"#/definitions/orgId"},"orgName":{"type":"string","minLength":1,"maxLength":256,"description":"a display name of 1–256 characters"},"region":{"type":"string","pattern":"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$","description":"an AWS region such as eu-west-1 (the tenant bucket's region; defaults to the stack's region)"}}};
const schema13 = {"type":"string","minLength":1,"maxLength":40,"pattern":"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$","description":"1–40 characters of A–Z, a–z, 0–9 and '-', not starting or ending with '-'"};
const func2 = require("ajv/dist/runtime/ucs2length").default;
const pattern0 = new RegExp("^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$", "u");
const pattern1 = new RegExp("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", "u");

function validate13(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.orgId === undefined) && (missing0 = "orgId")){
validate13.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema12.required,parentSchema:schema12,data}];
return false;
}
else {
if(data.orgId !== undefined){
let data0 = data.orgId;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(func2(data0) > 40){
validate13.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/definitions/orgId/maxLength",keyword:"maxLength",params:{limit: 40},message:"must NOT have more than 40 characters",schema:40,parentSchema:schema13,data:data0}];
return false;
}
else {
if(func2(data0) < 1){
validate13.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/definitions/orgId/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
else {
if(!pattern0.test(data0)){
validate13.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/definitions/orgId/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$"},message:"must match pattern \""+"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$"+"\"",schema:"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$",parentSchema:schema13,data:data0}];
return false;
}
}
}
}
else {
validate13.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/definitions/orgId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.orgName !== undefined){
let data1 = data.orgName;
const _errs4 = errors;
if(errors === _errs4){
if(typeof data1 === "string"){
if(func2(data1) > 256){
validate13.errors = [{instancePath:instancePath+"/orgName",schemaPath:"#/properties/orgName/maxLength",keyword:"maxLength",params:{limit: 256},message:"must NOT have more than 256 characters",schema:256,parentSchema:schema12.properties.orgName,data:data1}];
return false;
}
else {
if(func2(data1) < 1){
validate13.errors = [{instancePath:instancePath+"/orgName",schemaPath:"#/properties/orgName/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema12.properties.orgName,data:data1}];
return false;
}
}
}
else {
validate13.errors = [{instancePath:instancePath+"/orgName",schemaPath:"#/properties/orgName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.properties.orgName.type,parentSchema:schema12.properties.orgName,data:data1}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.region !== undefined){
let data2 = data.region;
const _errs6 = errors;
if(errors === _errs6){
if(typeof data2 === "string"){
if(!pattern1.test(data2)){
validate13.errors = [{instancePath:instancePath+"/region",schemaPath:"#/properties/region/pattern",keyword:"pattern",params:{pattern: "^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"},message:"must match pattern \""+"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"+"\"",schema:"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$",parentSchema:schema12.properties.region,data:data2}];
return false;
}
}
else {
validate13.errors = [{instancePath:instancePath+"/region",schemaPath:"#/properties/region/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.properties.region.type,parentSchema:schema12.properties.region,data:data2}];
return false;
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
else {
validate13.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema12.type,parentSchema:schema12,data}];
return false;
}
}
validate13.errors = vErrors;
return errors === 0;
}

export const orgDeletedDetail = validate17;
const schema17 = {"type":"object","required":["orgId"],"properties":{"orgId":{"$ref":"org-created.schema.json#/definitions/orgId"},"orgName":{"type":"string","minLength":1,"maxLength":256,"description":"a display name of 1–256 characters"},"region":{"type":"string","pattern":"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$","description":"an AWS region such as eu-west-1"},"retentionDays":{"type":"integer","minimum":0,"maximum":350,"description":"a whole number of days from 0 to 350 (how long revoked data is kept before deletion; defaults to the stage's setting; a teardown must stay redrivable within Step Functions' one-year limit)"}}};

function validate17(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.orgId === undefined) && (missing0 = "orgId")){
validate17.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema17.required,parentSchema:schema17,data}];
return false;
}
else {
if(data.orgId !== undefined){
let data0 = data.orgId;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(typeof data0 === "string"){
if(func2(data0) > 40){
validate17.errors = [{instancePath:instancePath+"/orgId",schemaPath:"org-created.schema.json#/definitions/orgId/maxLength",keyword:"maxLength",params:{limit: 40},message:"must NOT have more than 40 characters",schema:40,parentSchema:schema13,data:data0}];
return false;
}
else {
if(func2(data0) < 1){
validate17.errors = [{instancePath:instancePath+"/orgId",schemaPath:"org-created.schema.json#/definitions/orgId/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema13,data:data0}];
return false;
}
else {
if(!pattern0.test(data0)){
validate17.errors = [{instancePath:instancePath+"/orgId",schemaPath:"org-created.schema.json#/definitions/orgId/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$"},message:"must match pattern \""+"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$"+"\"",schema:"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$",parentSchema:schema13,data:data0}];
return false;
}
}
}
}
else {
validate17.errors = [{instancePath:instancePath+"/orgId",schemaPath:"org-created.schema.json#/definitions/orgId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data0}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.orgName !== undefined){
let data1 = data.orgName;
const _errs4 = errors;
if(errors === _errs4){
if(typeof data1 === "string"){
if(func2(data1) > 256){
validate17.errors = [{instancePath:instancePath+"/orgName",schemaPath:"#/properties/orgName/maxLength",keyword:"maxLength",params:{limit: 256},message:"must NOT have more than 256 characters",schema:256,parentSchema:schema17.properties.orgName,data:data1}];
return false;
}
else {
if(func2(data1) < 1){
validate17.errors = [{instancePath:instancePath+"/orgName",schemaPath:"#/properties/orgName/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema17.properties.orgName,data:data1}];
return false;
}
}
}
else {
validate17.errors = [{instancePath:instancePath+"/orgName",schemaPath:"#/properties/orgName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema17.properties.orgName.type,parentSchema:schema17.properties.orgName,data:data1}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.region !== undefined){
let data2 = data.region;
const _errs6 = errors;
if(errors === _errs6){
if(typeof data2 === "string"){
if(!pattern1.test(data2)){
validate17.errors = [{instancePath:instancePath+"/region",schemaPath:"#/properties/region/pattern",keyword:"pattern",params:{pattern: "^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"},message:"must match pattern \""+"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"+"\"",schema:"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$",parentSchema:schema17.properties.region,data:data2}];
return false;
}
}
else {
validate17.errors = [{instancePath:instancePath+"/region",schemaPath:"#/properties/region/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema17.properties.region.type,parentSchema:schema17.properties.region,data:data2}];
return false;
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.retentionDays !== undefined){
let data3 = data.retentionDays;
const _errs8 = errors;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
validate17.errors = [{instancePath:instancePath+"/retentionDays",schemaPath:"#/properties/retentionDays/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema17.properties.retentionDays.type,parentSchema:schema17.properties.retentionDays,data:data3}];
return false;
}
if(errors === _errs8){
if((typeof data3 == "number") && (isFinite(data3))){
if(data3 > 350 || isNaN(data3)){
validate17.errors = [{instancePath:instancePath+"/retentionDays",schemaPath:"#/properties/retentionDays/maximum",keyword:"maximum",params:{comparison: "<=", limit: 350},message:"must be <= 350",schema:350,parentSchema:schema17.properties.retentionDays,data:data3}];
return false;
}
else {
if(data3 < 0 || isNaN(data3)){
validate17.errors = [{instancePath:instancePath+"/retentionDays",schemaPath:"#/properties/retentionDays/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema17.properties.retentionDays,data:data3}];
return false;
}
}
}
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate17.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema17.type,parentSchema:schema17,data}];
return false;
}
}
validate17.errors = vErrors;
return errors === 0;
}

export const orgProvisionedDetail = validate19;
const schema22 = {"type":"object","additionalProperties":false,"required":["orgId","executionName","bucket","user","credentials","provisionedAt"],"properties":{"orgId":{"type":"string"},"orgName":{"type":"string"},"generation":{"type":"integer","minimum":1,"description":"the tenant's generation in the tenant ledger: 1 for its first provisioning, +1 for each one after a teardown or rollback"},"executionName":{"type":"string"},"tenancy":{"const":"prefix","description":"present for a tenant that is a prefix of the stage's shared bucket (tenancy: prefix); absent for a tenant with its own bucket"},"bucket":{"type":"object","additionalProperties":false,"required":["name","region","arn"],"properties":{"name":{"type":"string"},"region":{"type":"string"},"arn":{"type":"string","pattern":"^arn:aws[a-z-]*:s3:::"},"publicBaseUrl":{"type":"string","pattern":"^https://","description":"a bucket tenant: the public URL of its pub/ prefix; a prefix tenant: its baseUrl, present only when its stage lets it make its own objects public (object ACLs enabled)"},"prefix":{"type":"string","pattern":"^[A-Za-z0-9._/-]+/$","description":"a prefix tenant's prefix of the shared bucket `name`"},"baseUrl":{"type":"string","pattern":"^https://","description":"a prefix tenant: the URL its objects are under (the shared bucket's URL and its prefix)"}}},"user":{"type":"object","additionalProperties":false,"required":["name","arn"],"properties":{"name":{"type":"string"},"arn":{"type":"string","pattern":"^arn:aws[a-z-]*:iam::"}}},"credentials":{"type":"object","additionalProperties":false,"required":["secretArn","secretName"],"properties":{"secretArn":{"type":"string","pattern":"^arn:aws[a-z-]*:secretsmanager:"},"secretName":{"type":"string"}}},"provisionedAt":{"type":"string","format":"date-time"}}};
const func20 = Object.prototype.hasOwnProperty;
const pattern8 = new RegExp("^arn:aws[a-z-]*:s3:::", "u");
const pattern9 = new RegExp("^https://", "u");
const pattern10 = new RegExp("^[A-Za-z0-9._/-]+/$", "u");
const pattern12 = new RegExp("^arn:aws[a-z-]*:iam::", "u");
const pattern13 = new RegExp("^arn:aws[a-z-]*:secretsmanager:", "u");
const formats0 = require("ajv-formats/dist/formats").fullFormats["date-time"];

function validate19(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((data.orgId === undefined) && (missing0 = "orgId")) || ((data.executionName === undefined) && (missing0 = "executionName"))) || ((data.bucket === undefined) && (missing0 = "bucket"))) || ((data.user === undefined) && (missing0 = "user"))) || ((data.credentials === undefined) && (missing0 = "credentials"))) || ((data.provisionedAt === undefined) && (missing0 = "provisionedAt"))){
validate19.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema22.required,parentSchema:schema22,data}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!(func20.call(schema22.properties, key0))){
validate19.errors = [{instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema22,data}];
return false;
break;
}
}
if(_errs1 === errors){
if(data.orgId !== undefined){
let data0 = data.orgId;
const _errs2 = errors;
if(typeof data0 !== "string"){
validate19.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/properties/orgId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.orgId.type,parentSchema:schema22.properties.orgId,data:data0}];
return false;
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.orgName !== undefined){
let data1 = data.orgName;
const _errs4 = errors;
if(typeof data1 !== "string"){
validate19.errors = [{instancePath:instancePath+"/orgName",schemaPath:"#/properties/orgName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.orgName.type,parentSchema:schema22.properties.orgName,data:data1}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.generation !== undefined){
let data2 = data.generation;
const _errs6 = errors;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
validate19.errors = [{instancePath:instancePath+"/generation",schemaPath:"#/properties/generation/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema22.properties.generation.type,parentSchema:schema22.properties.generation,data:data2}];
return false;
}
if(errors === _errs6){
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 < 1 || isNaN(data2)){
validate19.errors = [{instancePath:instancePath+"/generation",schemaPath:"#/properties/generation/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema22.properties.generation,data:data2}];
return false;
}
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.executionName !== undefined){
let data3 = data.executionName;
const _errs8 = errors;
if(typeof data3 !== "string"){
validate19.errors = [{instancePath:instancePath+"/executionName",schemaPath:"#/properties/executionName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.executionName.type,parentSchema:schema22.properties.executionName,data:data3}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.tenancy !== undefined){
let data4 = data.tenancy;
const _errs10 = errors;
if("prefix" !== data4){
validate19.errors = [{instancePath:instancePath+"/tenancy",schemaPath:"#/properties/tenancy/const",keyword:"const",params:{allowedValue: "prefix"},message:"must be equal to constant",schema:"prefix",parentSchema:schema22.properties.tenancy,data:data4}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.bucket !== undefined){
let data5 = data.bucket;
const _errs11 = errors;
if(errors === _errs11){
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
let missing1;
if((((data5.name === undefined) && (missing1 = "name")) || ((data5.region === undefined) && (missing1 = "region"))) || ((data5.arn === undefined) && (missing1 = "arn"))){
validate19.errors = [{instancePath:instancePath+"/bucket",schemaPath:"#/properties/bucket/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'",schema:schema22.properties.bucket.required,parentSchema:schema22.properties.bucket,data:data5}];
return false;
}
else {
const _errs13 = errors;
for(const key1 in data5){
if(!((((((key1 === "name") || (key1 === "region")) || (key1 === "arn")) || (key1 === "publicBaseUrl")) || (key1 === "prefix")) || (key1 === "baseUrl"))){
validate19.errors = [{instancePath:instancePath+"/bucket",schemaPath:"#/properties/bucket/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema22.properties.bucket,data:data5}];
return false;
break;
}
}
if(_errs13 === errors){
if(data5.name !== undefined){
let data6 = data5.name;
const _errs14 = errors;
if(typeof data6 !== "string"){
validate19.errors = [{instancePath:instancePath+"/bucket/name",schemaPath:"#/properties/bucket/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.bucket.properties.name.type,parentSchema:schema22.properties.bucket.properties.name,data:data6}];
return false;
}
var valid1 = _errs14 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data5.region !== undefined){
let data7 = data5.region;
const _errs16 = errors;
if(typeof data7 !== "string"){
validate19.errors = [{instancePath:instancePath+"/bucket/region",schemaPath:"#/properties/bucket/properties/region/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.bucket.properties.region.type,parentSchema:schema22.properties.bucket.properties.region,data:data7}];
return false;
}
var valid1 = _errs16 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data5.arn !== undefined){
let data8 = data5.arn;
const _errs18 = errors;
if(errors === _errs18){
if(typeof data8 === "string"){
if(!pattern8.test(data8)){
validate19.errors = [{instancePath:instancePath+"/bucket/arn",schemaPath:"#/properties/bucket/properties/arn/pattern",keyword:"pattern",params:{pattern: "^arn:aws[a-z-]*:s3:::"},message:"must match pattern \""+"^arn:aws[a-z-]*:s3:::"+"\"",schema:"^arn:aws[a-z-]*:s3:::",parentSchema:schema22.properties.bucket.properties.arn,data:data8}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/bucket/arn",schemaPath:"#/properties/bucket/properties/arn/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.bucket.properties.arn.type,parentSchema:schema22.properties.bucket.properties.arn,data:data8}];
return false;
}
}
var valid1 = _errs18 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data5.publicBaseUrl !== undefined){
let data9 = data5.publicBaseUrl;
const _errs20 = errors;
if(errors === _errs20){
if(typeof data9 === "string"){
if(!pattern9.test(data9)){
validate19.errors = [{instancePath:instancePath+"/bucket/publicBaseUrl",schemaPath:"#/properties/bucket/properties/publicBaseUrl/pattern",keyword:"pattern",params:{pattern: "^https://"},message:"must match pattern \""+"^https://"+"\"",schema:"^https://",parentSchema:schema22.properties.bucket.properties.publicBaseUrl,data:data9}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/bucket/publicBaseUrl",schemaPath:"#/properties/bucket/properties/publicBaseUrl/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.bucket.properties.publicBaseUrl.type,parentSchema:schema22.properties.bucket.properties.publicBaseUrl,data:data9}];
return false;
}
}
var valid1 = _errs20 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data5.prefix !== undefined){
let data10 = data5.prefix;
const _errs22 = errors;
if(errors === _errs22){
if(typeof data10 === "string"){
if(!pattern10.test(data10)){
validate19.errors = [{instancePath:instancePath+"/bucket/prefix",schemaPath:"#/properties/bucket/properties/prefix/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9._/-]+/$"},message:"must match pattern \""+"^[A-Za-z0-9._/-]+/$"+"\"",schema:"^[A-Za-z0-9._/-]+/$",parentSchema:schema22.properties.bucket.properties.prefix,data:data10}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/bucket/prefix",schemaPath:"#/properties/bucket/properties/prefix/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.bucket.properties.prefix.type,parentSchema:schema22.properties.bucket.properties.prefix,data:data10}];
return false;
}
}
var valid1 = _errs22 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data5.baseUrl !== undefined){
let data11 = data5.baseUrl;
const _errs24 = errors;
if(errors === _errs24){
if(typeof data11 === "string"){
if(!pattern9.test(data11)){
validate19.errors = [{instancePath:instancePath+"/bucket/baseUrl",schemaPath:"#/properties/bucket/properties/baseUrl/pattern",keyword:"pattern",params:{pattern: "^https://"},message:"must match pattern \""+"^https://"+"\"",schema:"^https://",parentSchema:schema22.properties.bucket.properties.baseUrl,data:data11}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/bucket/baseUrl",schemaPath:"#/properties/bucket/properties/baseUrl/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.bucket.properties.baseUrl.type,parentSchema:schema22.properties.bucket.properties.baseUrl,data:data11}];
return false;
}
}
var valid1 = _errs24 === errors;
}
else {
var valid1 = true;
}
}
}
}
}
}
}
}
}
else {
validate19.errors = [{instancePath:instancePath+"/bucket",schemaPath:"#/properties/bucket/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema22.properties.bucket.type,parentSchema:schema22.properties.bucket,data:data5}];
return false;
}
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.user !== undefined){
let data12 = data.user;
const _errs26 = errors;
if(errors === _errs26){
if(data12 && typeof data12 == "object" && !Array.isArray(data12)){
let missing2;
if(((data12.name === undefined) && (missing2 = "name")) || ((data12.arn === undefined) && (missing2 = "arn"))){
validate19.errors = [{instancePath:instancePath+"/user",schemaPath:"#/properties/user/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'",schema:schema22.properties.user.required,parentSchema:schema22.properties.user,data:data12}];
return false;
}
else {
const _errs28 = errors;
for(const key2 in data12){
if(!((key2 === "name") || (key2 === "arn"))){
validate19.errors = [{instancePath:instancePath+"/user",schemaPath:"#/properties/user/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema22.properties.user,data:data12}];
return false;
break;
}
}
if(_errs28 === errors){
if(data12.name !== undefined){
let data13 = data12.name;
const _errs29 = errors;
if(typeof data13 !== "string"){
validate19.errors = [{instancePath:instancePath+"/user/name",schemaPath:"#/properties/user/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.user.properties.name.type,parentSchema:schema22.properties.user.properties.name,data:data13}];
return false;
}
var valid2 = _errs29 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data12.arn !== undefined){
let data14 = data12.arn;
const _errs31 = errors;
if(errors === _errs31){
if(typeof data14 === "string"){
if(!pattern12.test(data14)){
validate19.errors = [{instancePath:instancePath+"/user/arn",schemaPath:"#/properties/user/properties/arn/pattern",keyword:"pattern",params:{pattern: "^arn:aws[a-z-]*:iam::"},message:"must match pattern \""+"^arn:aws[a-z-]*:iam::"+"\"",schema:"^arn:aws[a-z-]*:iam::",parentSchema:schema22.properties.user.properties.arn,data:data14}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/user/arn",schemaPath:"#/properties/user/properties/arn/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.user.properties.arn.type,parentSchema:schema22.properties.user.properties.arn,data:data14}];
return false;
}
}
var valid2 = _errs31 === errors;
}
else {
var valid2 = true;
}
}
}
}
}
else {
validate19.errors = [{instancePath:instancePath+"/user",schemaPath:"#/properties/user/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema22.properties.user.type,parentSchema:schema22.properties.user,data:data12}];
return false;
}
}
var valid0 = _errs26 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.credentials !== undefined){
let data15 = data.credentials;
const _errs33 = errors;
if(errors === _errs33){
if(data15 && typeof data15 == "object" && !Array.isArray(data15)){
let missing3;
if(((data15.secretArn === undefined) && (missing3 = "secretArn")) || ((data15.secretName === undefined) && (missing3 = "secretName"))){
validate19.errors = [{instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/required",keyword:"required",params:{missingProperty: missing3},message:"must have required property '"+missing3+"'",schema:schema22.properties.credentials.required,parentSchema:schema22.properties.credentials,data:data15}];
return false;
}
else {
const _errs35 = errors;
for(const key3 in data15){
if(!((key3 === "secretArn") || (key3 === "secretName"))){
validate19.errors = [{instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema22.properties.credentials,data:data15}];
return false;
break;
}
}
if(_errs35 === errors){
if(data15.secretArn !== undefined){
let data16 = data15.secretArn;
const _errs36 = errors;
if(errors === _errs36){
if(typeof data16 === "string"){
if(!pattern13.test(data16)){
validate19.errors = [{instancePath:instancePath+"/credentials/secretArn",schemaPath:"#/properties/credentials/properties/secretArn/pattern",keyword:"pattern",params:{pattern: "^arn:aws[a-z-]*:secretsmanager:"},message:"must match pattern \""+"^arn:aws[a-z-]*:secretsmanager:"+"\"",schema:"^arn:aws[a-z-]*:secretsmanager:",parentSchema:schema22.properties.credentials.properties.secretArn,data:data16}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/credentials/secretArn",schemaPath:"#/properties/credentials/properties/secretArn/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.credentials.properties.secretArn.type,parentSchema:schema22.properties.credentials.properties.secretArn,data:data16}];
return false;
}
}
var valid3 = _errs36 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data15.secretName !== undefined){
let data17 = data15.secretName;
const _errs38 = errors;
if(typeof data17 !== "string"){
validate19.errors = [{instancePath:instancePath+"/credentials/secretName",schemaPath:"#/properties/credentials/properties/secretName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.credentials.properties.secretName.type,parentSchema:schema22.properties.credentials.properties.secretName,data:data17}];
return false;
}
var valid3 = _errs38 === errors;
}
else {
var valid3 = true;
}
}
}
}
}
else {
validate19.errors = [{instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema22.properties.credentials.type,parentSchema:schema22.properties.credentials,data:data15}];
return false;
}
}
var valid0 = _errs33 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.provisionedAt !== undefined){
let data18 = data.provisionedAt;
const _errs40 = errors;
if(errors === _errs40){
if(errors === _errs40){
if(typeof data18 === "string"){
if(!(formats0.validate(data18))){
validate19.errors = [{instancePath:instancePath+"/provisionedAt",schemaPath:"#/properties/provisionedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\"",schema:"date-time",parentSchema:schema22.properties.provisionedAt,data:data18}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/provisionedAt",schemaPath:"#/properties/provisionedAt/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.properties.provisionedAt.type,parentSchema:schema22.properties.provisionedAt,data:data18}];
return false;
}
}
}
var valid0 = _errs40 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate19.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema22.type,parentSchema:schema22,data}];
return false;
}
}
validate19.errors = vErrors;
return errors === 0;
}

export const orgProvisioningFailedDetail = validate21;
const schema25 = {"type":"object","additionalProperties":false,"required":["stage","error","reason","failedAt"],"properties":{"orgId":{"type":"string","description":"as received; may be the invalid value that caused the rejection (truncated to 100 characters)"},"executionName":{"type":"string"},"stage":{"enum":["router","workflow"]},"error":{"type":"string","description":"the error name, e.g. InvalidOrgIdError, BucketNameUnavailableError"},"reason":{"type":"string","description":"one readable sentence"},"rolledBack":{"type":"boolean","description":"workflow failures only: whatever this execution created was removed"},"sourceEventId":{"type":"string"},"failedAt":{"type":"string","format":"date-time"}}};

function validate21(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.stage === undefined) && (missing0 = "stage")) || ((data.error === undefined) && (missing0 = "error"))) || ((data.reason === undefined) && (missing0 = "reason"))) || ((data.failedAt === undefined) && (missing0 = "failedAt"))){
validate21.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema25.required,parentSchema:schema25,data}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!((((((((key0 === "orgId") || (key0 === "executionName")) || (key0 === "stage")) || (key0 === "error")) || (key0 === "reason")) || (key0 === "rolledBack")) || (key0 === "sourceEventId")) || (key0 === "failedAt"))){
validate21.errors = [{instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema25,data}];
return false;
break;
}
}
if(_errs1 === errors){
if(data.orgId !== undefined){
let data0 = data.orgId;
const _errs2 = errors;
if(typeof data0 !== "string"){
validate21.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/properties/orgId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.orgId.type,parentSchema:schema25.properties.orgId,data:data0}];
return false;
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.executionName !== undefined){
let data1 = data.executionName;
const _errs4 = errors;
if(typeof data1 !== "string"){
validate21.errors = [{instancePath:instancePath+"/executionName",schemaPath:"#/properties/executionName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.executionName.type,parentSchema:schema25.properties.executionName,data:data1}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.stage !== undefined){
let data2 = data.stage;
const _errs6 = errors;
if(!((data2 === "router") || (data2 === "workflow"))){
validate21.errors = [{instancePath:instancePath+"/stage",schemaPath:"#/properties/stage/enum",keyword:"enum",params:{allowedValues: schema25.properties.stage.enum},message:"must be equal to one of the allowed values",schema:schema25.properties.stage.enum,parentSchema:schema25.properties.stage,data:data2}];
return false;
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.error !== undefined){
let data3 = data.error;
const _errs7 = errors;
if(typeof data3 !== "string"){
validate21.errors = [{instancePath:instancePath+"/error",schemaPath:"#/properties/error/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.error.type,parentSchema:schema25.properties.error,data:data3}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.reason !== undefined){
let data4 = data.reason;
const _errs9 = errors;
if(typeof data4 !== "string"){
validate21.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.reason.type,parentSchema:schema25.properties.reason,data:data4}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.rolledBack !== undefined){
let data5 = data.rolledBack;
const _errs11 = errors;
if(typeof data5 !== "boolean"){
validate21.errors = [{instancePath:instancePath+"/rolledBack",schemaPath:"#/properties/rolledBack/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema25.properties.rolledBack.type,parentSchema:schema25.properties.rolledBack,data:data5}];
return false;
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.sourceEventId !== undefined){
let data6 = data.sourceEventId;
const _errs13 = errors;
if(typeof data6 !== "string"){
validate21.errors = [{instancePath:instancePath+"/sourceEventId",schemaPath:"#/properties/sourceEventId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.sourceEventId.type,parentSchema:schema25.properties.sourceEventId,data:data6}];
return false;
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.failedAt !== undefined){
let data7 = data.failedAt;
const _errs15 = errors;
if(errors === _errs15){
if(errors === _errs15){
if(typeof data7 === "string"){
if(!(formats0.validate(data7))){
validate21.errors = [{instancePath:instancePath+"/failedAt",schemaPath:"#/properties/failedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\"",schema:"date-time",parentSchema:schema25.properties.failedAt,data:data7}];
return false;
}
}
else {
validate21.errors = [{instancePath:instancePath+"/failedAt",schemaPath:"#/properties/failedAt/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema25.properties.failedAt.type,parentSchema:schema25.properties.failedAt,data:data7}];
return false;
}
}
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
else {
validate21.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema25.type,parentSchema:schema25,data}];
return false;
}
}
validate21.errors = vErrors;
return errors === 0;
}

export const orgDeprovisionedDetail = validate23;
const schema28 = {"type":"object","additionalProperties":false,"required":["orgId","executionName","retentionDays","deleted","leftAlone","deprovisionedAt"],"properties":{"orgId":{"type":"string"},"executionName":{"type":"string"},"bucket":{"type":"string","description":"the tenant's bucket, if it had one"},"objectsDeleted":{"type":"integer","minimum":0,"description":"object versions and delete markers removed from the bucket"},"retentionDays":{"type":"integer","minimum":0,"description":"how long the revoked data was kept before deletion"},"deleted":{"type":"array","items":{"type":"string"}},"leftAlone":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["resource","reason"],"properties":{"resource":{"type":"string"},"reason":{"type":"string"}}}},"deprovisionedAt":{"type":"string","format":"date-time"}}};

function validate23(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((data.orgId === undefined) && (missing0 = "orgId")) || ((data.executionName === undefined) && (missing0 = "executionName"))) || ((data.retentionDays === undefined) && (missing0 = "retentionDays"))) || ((data.deleted === undefined) && (missing0 = "deleted"))) || ((data.leftAlone === undefined) && (missing0 = "leftAlone"))) || ((data.deprovisionedAt === undefined) && (missing0 = "deprovisionedAt"))){
validate23.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema28.required,parentSchema:schema28,data}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!((((((((key0 === "orgId") || (key0 === "executionName")) || (key0 === "bucket")) || (key0 === "objectsDeleted")) || (key0 === "retentionDays")) || (key0 === "deleted")) || (key0 === "leftAlone")) || (key0 === "deprovisionedAt"))){
validate23.errors = [{instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema28,data}];
return false;
break;
}
}
if(_errs1 === errors){
if(data.orgId !== undefined){
let data0 = data.orgId;
const _errs2 = errors;
if(typeof data0 !== "string"){
validate23.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/properties/orgId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema28.properties.orgId.type,parentSchema:schema28.properties.orgId,data:data0}];
return false;
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.executionName !== undefined){
let data1 = data.executionName;
const _errs4 = errors;
if(typeof data1 !== "string"){
validate23.errors = [{instancePath:instancePath+"/executionName",schemaPath:"#/properties/executionName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema28.properties.executionName.type,parentSchema:schema28.properties.executionName,data:data1}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.bucket !== undefined){
let data2 = data.bucket;
const _errs6 = errors;
if(typeof data2 !== "string"){
validate23.errors = [{instancePath:instancePath+"/bucket",schemaPath:"#/properties/bucket/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema28.properties.bucket.type,parentSchema:schema28.properties.bucket,data:data2}];
return false;
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.objectsDeleted !== undefined){
let data3 = data.objectsDeleted;
const _errs8 = errors;
if(!(((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3))) && (isFinite(data3)))){
validate23.errors = [{instancePath:instancePath+"/objectsDeleted",schemaPath:"#/properties/objectsDeleted/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema28.properties.objectsDeleted.type,parentSchema:schema28.properties.objectsDeleted,data:data3}];
return false;
}
if(errors === _errs8){
if((typeof data3 == "number") && (isFinite(data3))){
if(data3 < 0 || isNaN(data3)){
validate23.errors = [{instancePath:instancePath+"/objectsDeleted",schemaPath:"#/properties/objectsDeleted/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema28.properties.objectsDeleted,data:data3}];
return false;
}
}
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.retentionDays !== undefined){
let data4 = data.retentionDays;
const _errs10 = errors;
if(!(((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4))) && (isFinite(data4)))){
validate23.errors = [{instancePath:instancePath+"/retentionDays",schemaPath:"#/properties/retentionDays/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema28.properties.retentionDays.type,parentSchema:schema28.properties.retentionDays,data:data4}];
return false;
}
if(errors === _errs10){
if((typeof data4 == "number") && (isFinite(data4))){
if(data4 < 0 || isNaN(data4)){
validate23.errors = [{instancePath:instancePath+"/retentionDays",schemaPath:"#/properties/retentionDays/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema28.properties.retentionDays,data:data4}];
return false;
}
}
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.deleted !== undefined){
let data5 = data.deleted;
const _errs12 = errors;
if(errors === _errs12){
if(Array.isArray(data5)){
var valid1 = true;
const len0 = data5.length;
for(let i0=0; i0<len0; i0++){
let data6 = data5[i0];
const _errs14 = errors;
if(typeof data6 !== "string"){
validate23.errors = [{instancePath:instancePath+"/deleted/" + i0,schemaPath:"#/properties/deleted/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema28.properties.deleted.items.type,parentSchema:schema28.properties.deleted.items,data:data6}];
return false;
}
var valid1 = _errs14 === errors;
if(!valid1){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/deleted",schemaPath:"#/properties/deleted/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema28.properties.deleted.type,parentSchema:schema28.properties.deleted,data:data5}];
return false;
}
}
var valid0 = _errs12 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.leftAlone !== undefined){
let data7 = data.leftAlone;
const _errs16 = errors;
if(errors === _errs16){
if(Array.isArray(data7)){
var valid2 = true;
const len1 = data7.length;
for(let i1=0; i1<len1; i1++){
let data8 = data7[i1];
const _errs18 = errors;
if(errors === _errs18){
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
let missing1;
if(((data8.resource === undefined) && (missing1 = "resource")) || ((data8.reason === undefined) && (missing1 = "reason"))){
validate23.errors = [{instancePath:instancePath+"/leftAlone/" + i1,schemaPath:"#/properties/leftAlone/items/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'",schema:schema28.properties.leftAlone.items.required,parentSchema:schema28.properties.leftAlone.items,data:data8}];
return false;
}
else {
const _errs20 = errors;
for(const key1 in data8){
if(!((key1 === "resource") || (key1 === "reason"))){
validate23.errors = [{instancePath:instancePath+"/leftAlone/" + i1,schemaPath:"#/properties/leftAlone/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema28.properties.leftAlone.items,data:data8}];
return false;
break;
}
}
if(_errs20 === errors){
if(data8.resource !== undefined){
let data9 = data8.resource;
const _errs21 = errors;
if(typeof data9 !== "string"){
validate23.errors = [{instancePath:instancePath+"/leftAlone/" + i1+"/resource",schemaPath:"#/properties/leftAlone/items/properties/resource/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema28.properties.leftAlone.items.properties.resource.type,parentSchema:schema28.properties.leftAlone.items.properties.resource,data:data9}];
return false;
}
var valid3 = _errs21 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data8.reason !== undefined){
let data10 = data8.reason;
const _errs23 = errors;
if(typeof data10 !== "string"){
validate23.errors = [{instancePath:instancePath+"/leftAlone/" + i1+"/reason",schemaPath:"#/properties/leftAlone/items/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema28.properties.leftAlone.items.properties.reason.type,parentSchema:schema28.properties.leftAlone.items.properties.reason,data:data10}];
return false;
}
var valid3 = _errs23 === errors;
}
else {
var valid3 = true;
}
}
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/leftAlone/" + i1,schemaPath:"#/properties/leftAlone/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema28.properties.leftAlone.items.type,parentSchema:schema28.properties.leftAlone.items,data:data8}];
return false;
}
}
var valid2 = _errs18 === errors;
if(!valid2){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/leftAlone",schemaPath:"#/properties/leftAlone/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema28.properties.leftAlone.type,parentSchema:schema28.properties.leftAlone,data:data7}];
return false;
}
}
var valid0 = _errs16 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.deprovisionedAt !== undefined){
let data11 = data.deprovisionedAt;
const _errs25 = errors;
if(errors === _errs25){
if(errors === _errs25){
if(typeof data11 === "string"){
if(!(formats0.validate(data11))){
validate23.errors = [{instancePath:instancePath+"/deprovisionedAt",schemaPath:"#/properties/deprovisionedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\"",schema:"date-time",parentSchema:schema28.properties.deprovisionedAt,data:data11}];
return false;
}
}
else {
validate23.errors = [{instancePath:instancePath+"/deprovisionedAt",schemaPath:"#/properties/deprovisionedAt/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema28.properties.deprovisionedAt.type,parentSchema:schema28.properties.deprovisionedAt,data:data11}];
return false;
}
}
}
var valid0 = _errs25 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
else {
validate23.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema28.type,parentSchema:schema28,data}];
return false;
}
}
validate23.errors = vErrors;
return errors === 0;
}

export const orgRestoredDetail = validate25;
const schema31 = {"type":"object","additionalProperties":false,"required":["orgId","executionName","bucket","user","credentials","restoredAt"],"properties":{"orgId":{"type":"string"},"orgName":{"type":"string"},"generation":{"type":"integer","minimum":1,"description":"the tenant's generation in the tenant ledger: 1 for its first provisioning, +1 for each one after a teardown or rollback"},"executionName":{"type":"string","description":"the restore-tenant execution"},"bucket":{"type":"object","additionalProperties":false,"required":["name","region","arn","publicBaseUrl"],"properties":{"name":{"type":"string"},"region":{"type":"string"},"arn":{"type":"string","pattern":"^arn:aws[a-z-]*:s3:::"},"publicBaseUrl":{"type":"string","pattern":"^https://"}}},"user":{"type":"object","additionalProperties":false,"required":["name","arn"],"properties":{"name":{"type":"string"},"arn":{"type":"string","pattern":"^arn:aws[a-z-]*:iam::"}}},"credentials":{"type":"object","additionalProperties":false,"required":["secretArn","secretName"],"properties":{"secretArn":{"type":"string","pattern":"^arn:aws[a-z-]*:secretsmanager:"},"secretName":{"type":"string"}}},"restoredAt":{"type":"string","format":"date-time"}}};

function validate25(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((data.orgId === undefined) && (missing0 = "orgId")) || ((data.executionName === undefined) && (missing0 = "executionName"))) || ((data.bucket === undefined) && (missing0 = "bucket"))) || ((data.user === undefined) && (missing0 = "user"))) || ((data.credentials === undefined) && (missing0 = "credentials"))) || ((data.restoredAt === undefined) && (missing0 = "restoredAt"))){
validate25.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema31.required,parentSchema:schema31,data}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!((((((((key0 === "orgId") || (key0 === "orgName")) || (key0 === "generation")) || (key0 === "executionName")) || (key0 === "bucket")) || (key0 === "user")) || (key0 === "credentials")) || (key0 === "restoredAt"))){
validate25.errors = [{instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema31,data}];
return false;
break;
}
}
if(_errs1 === errors){
if(data.orgId !== undefined){
let data0 = data.orgId;
const _errs2 = errors;
if(typeof data0 !== "string"){
validate25.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/properties/orgId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.orgId.type,parentSchema:schema31.properties.orgId,data:data0}];
return false;
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.orgName !== undefined){
let data1 = data.orgName;
const _errs4 = errors;
if(typeof data1 !== "string"){
validate25.errors = [{instancePath:instancePath+"/orgName",schemaPath:"#/properties/orgName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.orgName.type,parentSchema:schema31.properties.orgName,data:data1}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.generation !== undefined){
let data2 = data.generation;
const _errs6 = errors;
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
validate25.errors = [{instancePath:instancePath+"/generation",schemaPath:"#/properties/generation/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema31.properties.generation.type,parentSchema:schema31.properties.generation,data:data2}];
return false;
}
if(errors === _errs6){
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 < 1 || isNaN(data2)){
validate25.errors = [{instancePath:instancePath+"/generation",schemaPath:"#/properties/generation/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema31.properties.generation,data:data2}];
return false;
}
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.executionName !== undefined){
let data3 = data.executionName;
const _errs8 = errors;
if(typeof data3 !== "string"){
validate25.errors = [{instancePath:instancePath+"/executionName",schemaPath:"#/properties/executionName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.executionName.type,parentSchema:schema31.properties.executionName,data:data3}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.bucket !== undefined){
let data4 = data.bucket;
const _errs10 = errors;
if(errors === _errs10){
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
let missing1;
if(((((data4.name === undefined) && (missing1 = "name")) || ((data4.region === undefined) && (missing1 = "region"))) || ((data4.arn === undefined) && (missing1 = "arn"))) || ((data4.publicBaseUrl === undefined) && (missing1 = "publicBaseUrl"))){
validate25.errors = [{instancePath:instancePath+"/bucket",schemaPath:"#/properties/bucket/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'",schema:schema31.properties.bucket.required,parentSchema:schema31.properties.bucket,data:data4}];
return false;
}
else {
const _errs12 = errors;
for(const key1 in data4){
if(!((((key1 === "name") || (key1 === "region")) || (key1 === "arn")) || (key1 === "publicBaseUrl"))){
validate25.errors = [{instancePath:instancePath+"/bucket",schemaPath:"#/properties/bucket/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.bucket,data:data4}];
return false;
break;
}
}
if(_errs12 === errors){
if(data4.name !== undefined){
let data5 = data4.name;
const _errs13 = errors;
if(typeof data5 !== "string"){
validate25.errors = [{instancePath:instancePath+"/bucket/name",schemaPath:"#/properties/bucket/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.bucket.properties.name.type,parentSchema:schema31.properties.bucket.properties.name,data:data5}];
return false;
}
var valid1 = _errs13 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data4.region !== undefined){
let data6 = data4.region;
const _errs15 = errors;
if(typeof data6 !== "string"){
validate25.errors = [{instancePath:instancePath+"/bucket/region",schemaPath:"#/properties/bucket/properties/region/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.bucket.properties.region.type,parentSchema:schema31.properties.bucket.properties.region,data:data6}];
return false;
}
var valid1 = _errs15 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data4.arn !== undefined){
let data7 = data4.arn;
const _errs17 = errors;
if(errors === _errs17){
if(typeof data7 === "string"){
if(!pattern8.test(data7)){
validate25.errors = [{instancePath:instancePath+"/bucket/arn",schemaPath:"#/properties/bucket/properties/arn/pattern",keyword:"pattern",params:{pattern: "^arn:aws[a-z-]*:s3:::"},message:"must match pattern \""+"^arn:aws[a-z-]*:s3:::"+"\"",schema:"^arn:aws[a-z-]*:s3:::",parentSchema:schema31.properties.bucket.properties.arn,data:data7}];
return false;
}
}
else {
validate25.errors = [{instancePath:instancePath+"/bucket/arn",schemaPath:"#/properties/bucket/properties/arn/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.bucket.properties.arn.type,parentSchema:schema31.properties.bucket.properties.arn,data:data7}];
return false;
}
}
var valid1 = _errs17 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data4.publicBaseUrl !== undefined){
let data8 = data4.publicBaseUrl;
const _errs19 = errors;
if(errors === _errs19){
if(typeof data8 === "string"){
if(!pattern9.test(data8)){
validate25.errors = [{instancePath:instancePath+"/bucket/publicBaseUrl",schemaPath:"#/properties/bucket/properties/publicBaseUrl/pattern",keyword:"pattern",params:{pattern: "^https://"},message:"must match pattern \""+"^https://"+"\"",schema:"^https://",parentSchema:schema31.properties.bucket.properties.publicBaseUrl,data:data8}];
return false;
}
}
else {
validate25.errors = [{instancePath:instancePath+"/bucket/publicBaseUrl",schemaPath:"#/properties/bucket/properties/publicBaseUrl/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.bucket.properties.publicBaseUrl.type,parentSchema:schema31.properties.bucket.properties.publicBaseUrl,data:data8}];
return false;
}
}
var valid1 = _errs19 === errors;
}
else {
var valid1 = true;
}
}
}
}
}
}
}
else {
validate25.errors = [{instancePath:instancePath+"/bucket",schemaPath:"#/properties/bucket/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.bucket.type,parentSchema:schema31.properties.bucket,data:data4}];
return false;
}
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.user !== undefined){
let data9 = data.user;
const _errs21 = errors;
if(errors === _errs21){
if(data9 && typeof data9 == "object" && !Array.isArray(data9)){
let missing2;
if(((data9.name === undefined) && (missing2 = "name")) || ((data9.arn === undefined) && (missing2 = "arn"))){
validate25.errors = [{instancePath:instancePath+"/user",schemaPath:"#/properties/user/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'",schema:schema31.properties.user.required,parentSchema:schema31.properties.user,data:data9}];
return false;
}
else {
const _errs23 = errors;
for(const key2 in data9){
if(!((key2 === "name") || (key2 === "arn"))){
validate25.errors = [{instancePath:instancePath+"/user",schemaPath:"#/properties/user/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.user,data:data9}];
return false;
break;
}
}
if(_errs23 === errors){
if(data9.name !== undefined){
let data10 = data9.name;
const _errs24 = errors;
if(typeof data10 !== "string"){
validate25.errors = [{instancePath:instancePath+"/user/name",schemaPath:"#/properties/user/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.user.properties.name.type,parentSchema:schema31.properties.user.properties.name,data:data10}];
return false;
}
var valid2 = _errs24 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data9.arn !== undefined){
let data11 = data9.arn;
const _errs26 = errors;
if(errors === _errs26){
if(typeof data11 === "string"){
if(!pattern12.test(data11)){
validate25.errors = [{instancePath:instancePath+"/user/arn",schemaPath:"#/properties/user/properties/arn/pattern",keyword:"pattern",params:{pattern: "^arn:aws[a-z-]*:iam::"},message:"must match pattern \""+"^arn:aws[a-z-]*:iam::"+"\"",schema:"^arn:aws[a-z-]*:iam::",parentSchema:schema31.properties.user.properties.arn,data:data11}];
return false;
}
}
else {
validate25.errors = [{instancePath:instancePath+"/user/arn",schemaPath:"#/properties/user/properties/arn/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.user.properties.arn.type,parentSchema:schema31.properties.user.properties.arn,data:data11}];
return false;
}
}
var valid2 = _errs26 === errors;
}
else {
var valid2 = true;
}
}
}
}
}
else {
validate25.errors = [{instancePath:instancePath+"/user",schemaPath:"#/properties/user/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.user.type,parentSchema:schema31.properties.user,data:data9}];
return false;
}
}
var valid0 = _errs21 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.credentials !== undefined){
let data12 = data.credentials;
const _errs28 = errors;
if(errors === _errs28){
if(data12 && typeof data12 == "object" && !Array.isArray(data12)){
let missing3;
if(((data12.secretArn === undefined) && (missing3 = "secretArn")) || ((data12.secretName === undefined) && (missing3 = "secretName"))){
validate25.errors = [{instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/required",keyword:"required",params:{missingProperty: missing3},message:"must have required property '"+missing3+"'",schema:schema31.properties.credentials.required,parentSchema:schema31.properties.credentials,data:data12}];
return false;
}
else {
const _errs30 = errors;
for(const key3 in data12){
if(!((key3 === "secretArn") || (key3 === "secretName"))){
validate25.errors = [{instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.credentials,data:data12}];
return false;
break;
}
}
if(_errs30 === errors){
if(data12.secretArn !== undefined){
let data13 = data12.secretArn;
const _errs31 = errors;
if(errors === _errs31){
if(typeof data13 === "string"){
if(!pattern13.test(data13)){
validate25.errors = [{instancePath:instancePath+"/credentials/secretArn",schemaPath:"#/properties/credentials/properties/secretArn/pattern",keyword:"pattern",params:{pattern: "^arn:aws[a-z-]*:secretsmanager:"},message:"must match pattern \""+"^arn:aws[a-z-]*:secretsmanager:"+"\"",schema:"^arn:aws[a-z-]*:secretsmanager:",parentSchema:schema31.properties.credentials.properties.secretArn,data:data13}];
return false;
}
}
else {
validate25.errors = [{instancePath:instancePath+"/credentials/secretArn",schemaPath:"#/properties/credentials/properties/secretArn/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.credentials.properties.secretArn.type,parentSchema:schema31.properties.credentials.properties.secretArn,data:data13}];
return false;
}
}
var valid3 = _errs31 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data12.secretName !== undefined){
let data14 = data12.secretName;
const _errs33 = errors;
if(typeof data14 !== "string"){
validate25.errors = [{instancePath:instancePath+"/credentials/secretName",schemaPath:"#/properties/credentials/properties/secretName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.credentials.properties.secretName.type,parentSchema:schema31.properties.credentials.properties.secretName,data:data14}];
return false;
}
var valid3 = _errs33 === errors;
}
else {
var valid3 = true;
}
}
}
}
}
else {
validate25.errors = [{instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.credentials.type,parentSchema:schema31.properties.credentials,data:data12}];
return false;
}
}
var valid0 = _errs28 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.restoredAt !== undefined){
let data15 = data.restoredAt;
const _errs35 = errors;
if(errors === _errs35){
if(errors === _errs35){
if(typeof data15 === "string"){
if(!(formats0.validate(data15))){
validate25.errors = [{instancePath:instancePath+"/restoredAt",schemaPath:"#/properties/restoredAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\"",schema:"date-time",parentSchema:schema31.properties.restoredAt,data:data15}];
return false;
}
}
else {
validate25.errors = [{instancePath:instancePath+"/restoredAt",schemaPath:"#/properties/restoredAt/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.restoredAt.type,parentSchema:schema31.properties.restoredAt,data:data15}];
return false;
}
}
}
var valid0 = _errs35 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
else {
validate25.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.type,parentSchema:schema31,data}];
return false;
}
}
validate25.errors = vErrors;
return errors === 0;
}

export const tenantCredentialsRotatedDetail = validate27;
const schema34 = {"type":"object","additionalProperties":false,"required":["orgId","userName","credentials","versionId","accessKeyId","rotatedAt"],"properties":{"orgId":{"type":"string"},"userName":{"type":"string","description":"the tenant's IAM user"},"credentials":{"type":"object","additionalProperties":false,"required":["secretArn","secretName"],"properties":{"secretArn":{"type":"string","pattern":"^arn:aws[a-z-]*:secretsmanager:"},"secretName":{"type":"string"}}},"versionId":{"type":"string","description":"the secret version now AWSCURRENT (a consumer that already holds it has nothing to do)"},"accessKeyId":{"type":"string","pattern":"^[A-Z0-9]{16,128}$","description":"the new key's id (not a secret)"},"previousAccessKeyId":{"type":"string","pattern":"^[A-Z0-9]{16,128}$","description":"the key it replaces, still active until previousKeyActiveUntil"},"previousKeyActiveUntil":{"type":"string","format":"date-time","description":"when the previous key may be deactivated: the end of the stage's overlap"},"rotatedAt":{"type":"string","format":"date-time"}}};
const pattern29 = new RegExp("^[A-Z0-9]{16,128}$", "u");

function validate27(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((data.orgId === undefined) && (missing0 = "orgId")) || ((data.userName === undefined) && (missing0 = "userName"))) || ((data.credentials === undefined) && (missing0 = "credentials"))) || ((data.versionId === undefined) && (missing0 = "versionId"))) || ((data.accessKeyId === undefined) && (missing0 = "accessKeyId"))) || ((data.rotatedAt === undefined) && (missing0 = "rotatedAt"))){
validate27.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'",schema:schema34.required,parentSchema:schema34,data}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!((((((((key0 === "orgId") || (key0 === "userName")) || (key0 === "credentials")) || (key0 === "versionId")) || (key0 === "accessKeyId")) || (key0 === "previousAccessKeyId")) || (key0 === "previousKeyActiveUntil")) || (key0 === "rotatedAt"))){
validate27.errors = [{instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema34,data}];
return false;
break;
}
}
if(_errs1 === errors){
if(data.orgId !== undefined){
let data0 = data.orgId;
const _errs2 = errors;
if(typeof data0 !== "string"){
validate27.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/properties/orgId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.orgId.type,parentSchema:schema34.properties.orgId,data:data0}];
return false;
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.userName !== undefined){
let data1 = data.userName;
const _errs4 = errors;
if(typeof data1 !== "string"){
validate27.errors = [{instancePath:instancePath+"/userName",schemaPath:"#/properties/userName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.userName.type,parentSchema:schema34.properties.userName,data:data1}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.credentials !== undefined){
let data2 = data.credentials;
const _errs6 = errors;
if(errors === _errs6){
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
let missing1;
if(((data2.secretArn === undefined) && (missing1 = "secretArn")) || ((data2.secretName === undefined) && (missing1 = "secretName"))){
validate27.errors = [{instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'",schema:schema34.properties.credentials.required,parentSchema:schema34.properties.credentials,data:data2}];
return false;
}
else {
const _errs8 = errors;
for(const key1 in data2){
if(!((key1 === "secretArn") || (key1 === "secretName"))){
validate27.errors = [{instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema34.properties.credentials,data:data2}];
return false;
break;
}
}
if(_errs8 === errors){
if(data2.secretArn !== undefined){
let data3 = data2.secretArn;
const _errs9 = errors;
if(errors === _errs9){
if(typeof data3 === "string"){
if(!pattern13.test(data3)){
validate27.errors = [{instancePath:instancePath+"/credentials/secretArn",schemaPath:"#/properties/credentials/properties/secretArn/pattern",keyword:"pattern",params:{pattern: "^arn:aws[a-z-]*:secretsmanager:"},message:"must match pattern \""+"^arn:aws[a-z-]*:secretsmanager:"+"\"",schema:"^arn:aws[a-z-]*:secretsmanager:",parentSchema:schema34.properties.credentials.properties.secretArn,data:data3}];
return false;
}
}
else {
validate27.errors = [{instancePath:instancePath+"/credentials/secretArn",schemaPath:"#/properties/credentials/properties/secretArn/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.credentials.properties.secretArn.type,parentSchema:schema34.properties.credentials.properties.secretArn,data:data3}];
return false;
}
}
var valid1 = _errs9 === errors;
}
else {
var valid1 = true;
}
if(valid1){
if(data2.secretName !== undefined){
let data4 = data2.secretName;
const _errs11 = errors;
if(typeof data4 !== "string"){
validate27.errors = [{instancePath:instancePath+"/credentials/secretName",schemaPath:"#/properties/credentials/properties/secretName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.credentials.properties.secretName.type,parentSchema:schema34.properties.credentials.properties.secretName,data:data4}];
return false;
}
var valid1 = _errs11 === errors;
}
else {
var valid1 = true;
}
}
}
}
}
else {
validate27.errors = [{instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema34.properties.credentials.type,parentSchema:schema34.properties.credentials,data:data2}];
return false;
}
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.versionId !== undefined){
let data5 = data.versionId;
const _errs13 = errors;
if(typeof data5 !== "string"){
validate27.errors = [{instancePath:instancePath+"/versionId",schemaPath:"#/properties/versionId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.versionId.type,parentSchema:schema34.properties.versionId,data:data5}];
return false;
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.accessKeyId !== undefined){
let data6 = data.accessKeyId;
const _errs15 = errors;
if(errors === _errs15){
if(typeof data6 === "string"){
if(!pattern29.test(data6)){
validate27.errors = [{instancePath:instancePath+"/accessKeyId",schemaPath:"#/properties/accessKeyId/pattern",keyword:"pattern",params:{pattern: "^[A-Z0-9]{16,128}$"},message:"must match pattern \""+"^[A-Z0-9]{16,128}$"+"\"",schema:"^[A-Z0-9]{16,128}$",parentSchema:schema34.properties.accessKeyId,data:data6}];
return false;
}
}
else {
validate27.errors = [{instancePath:instancePath+"/accessKeyId",schemaPath:"#/properties/accessKeyId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.accessKeyId.type,parentSchema:schema34.properties.accessKeyId,data:data6}];
return false;
}
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.previousAccessKeyId !== undefined){
let data7 = data.previousAccessKeyId;
const _errs17 = errors;
if(errors === _errs17){
if(typeof data7 === "string"){
if(!pattern29.test(data7)){
validate27.errors = [{instancePath:instancePath+"/previousAccessKeyId",schemaPath:"#/properties/previousAccessKeyId/pattern",keyword:"pattern",params:{pattern: "^[A-Z0-9]{16,128}$"},message:"must match pattern \""+"^[A-Z0-9]{16,128}$"+"\"",schema:"^[A-Z0-9]{16,128}$",parentSchema:schema34.properties.previousAccessKeyId,data:data7}];
return false;
}
}
else {
validate27.errors = [{instancePath:instancePath+"/previousAccessKeyId",schemaPath:"#/properties/previousAccessKeyId/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.previousAccessKeyId.type,parentSchema:schema34.properties.previousAccessKeyId,data:data7}];
return false;
}
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.previousKeyActiveUntil !== undefined){
let data8 = data.previousKeyActiveUntil;
const _errs19 = errors;
if(errors === _errs19){
if(errors === _errs19){
if(typeof data8 === "string"){
if(!(formats0.validate(data8))){
validate27.errors = [{instancePath:instancePath+"/previousKeyActiveUntil",schemaPath:"#/properties/previousKeyActiveUntil/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\"",schema:"date-time",parentSchema:schema34.properties.previousKeyActiveUntil,data:data8}];
return false;
}
}
else {
validate27.errors = [{instancePath:instancePath+"/previousKeyActiveUntil",schemaPath:"#/properties/previousKeyActiveUntil/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.previousKeyActiveUntil.type,parentSchema:schema34.properties.previousKeyActiveUntil,data:data8}];
return false;
}
}
}
var valid0 = _errs19 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.rotatedAt !== undefined){
let data9 = data.rotatedAt;
const _errs21 = errors;
if(errors === _errs21){
if(errors === _errs21){
if(typeof data9 === "string"){
if(!(formats0.validate(data9))){
validate27.errors = [{instancePath:instancePath+"/rotatedAt",schemaPath:"#/properties/rotatedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\"",schema:"date-time",parentSchema:schema34.properties.rotatedAt,data:data9}];
return false;
}
}
else {
validate27.errors = [{instancePath:instancePath+"/rotatedAt",schemaPath:"#/properties/rotatedAt/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema34.properties.rotatedAt.type,parentSchema:schema34.properties.rotatedAt,data:data9}];
return false;
}
}
}
var valid0 = _errs21 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
else {
validate27.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema34.type,parentSchema:schema34,data}];
return false;
}
}
validate27.errors = vErrors;
return errors === 0;
}

