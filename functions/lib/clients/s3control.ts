import { S3ControlClient } from '@aws-sdk/client-s3-control';

export const s3control = new S3ControlClient({});
