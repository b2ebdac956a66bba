import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { Role } from '../../shared/users/user.js';
import { corsOrigins, type DeployConfig, hostedUiPrefix, resourceNames } from '../config.js';
import { acknowledge } from '../nag.js';

/**
 * Everything that holds citizens' data or identities: retained on stack deletion, encrypted with a
 * customer key, SSL-only, never public. Stateless stacks reference it; it references nothing.
 */
export class StatefulStack extends Stack {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly auditTable: dynamodb.Table;
  readonly uploadBucket: s3.Bucket;
  readonly archiveBucket: s3.Bucket;
  readonly uploadEvents: sqs.Queue;
  readonly uploadEventsDlq: sqs.Queue;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  /** The hosted UI (sign-in with password and TOTP) the pages redirect to; their app client is in the AppStack. */
  readonly hostedUi: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: StackProps & { config: DeployConfig }) {
    super(scope, id, props);
    const names = resourceNames(props.config.stage);
    const retain = props.config.stage === 'local' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.key = new kms.Key(this, 'DataKey', { enableKeyRotation: true, description: 'Civil-status data', removalPolicy: retain });
    // CloudWatch Logs encrypts the system's log groups (AppStack) with this key: only for log groups of this
    // account and region (the encryption context names the log group). Functions' uses of the key are
    // granted on their roles (AppFunction), through DynamoDB, S3 or SQS only.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` } },
      }),
    );

    const tableProps = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.config.stage !== 'local',
      removalPolicy: retain,
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
    };
    this.table = new dynamodb.Table(this, 'StateTable', { ...tableProps, tableName: names.table });
    this.table.addGlobalSecondaryIndex({
      indexName: 'GSI1',
      partitionKey: { name: 'GSI1PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'GSI1SK', type: dynamodb.AttributeType.STRING },
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'GSI2',
      partitionKey: { name: 'GSI2PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'GSI2SK', type: dynamodb.AttributeType.STRING },
    });
    this.auditTable = new dynamodb.Table(this, 'AuditTable', { ...tableProps, tableName: names.auditTable });

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: retain,
      lifecycleRules: [{ expiration: Duration.days(400) }],
    });
    acknowledge(accessLogs, 'AwsSolutions-S1', 'This is the server-access-log bucket itself; logging it into itself would loop.');

    this.uploadBucket = new s3.Bucket(this, 'UploadBucket', {
      bucketName: `${names.uploadBucketPrefix}-${this.account}-${this.region}`,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'uploads/',
      removalPolicy: retain,
      cors: [
        {
          // The pages post and put the file straight here; multipart reads each part's ETag.
          allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.PUT, s3.HttpMethods.GET],
          allowedOrigins: corsOrigins(props.config),
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });

    // Accepted scans, error workbooks, acceptance reports, export packages and weekly reports. Versioned
    // with object lock: a replaced scan keeps its previous version, and nothing can be deleted early.
    this.archiveBucket = new s3.Bucket(this, 'ArchiveBucket', {
      bucketName: `${names.archiveBucketPrefix}-${this.account}-${this.region}`,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(3650)),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'archive/',
      removalPolicy: retain,
      cors: [{ allowedMethods: [s3.HttpMethods.GET], allowedOrigins: corsOrigins(props.config), allowedHeaders: ['*'], maxAge: 3000 }],
    });

    // Upload events carry object keys, whose last segment is the uploader's file name (personal data may
    // be in file names): both queues are encrypted with the customer key. S3 may use it to send the
    // notifications (key policy added by the SQS destination below); the consumer decrypts with its grant.
    this.uploadEventsDlq = new sqs.Queue(this, 'UploadEventsDlq', {
      queueName: names.uploadEventsDlq,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.uploadEventsDlq, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue.');
    acknowledge(
      this.uploadEventsDlq,
      'Serverless-SQSRedrivePolicy',
      'This queue is the dead-letter queue of the upload events; its messages are examined and re-driven by hand (alarm UploadEventsDlqNotEmpty).',
    );
    this.uploadEvents = new sqs.Queue(this, 'UploadEvents', {
      queueName: names.uploadEventsQueue,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      visibilityTimeout: Duration.minutes(16),
      deadLetterQueue: { queue: this.uploadEventsDlq, maxReceiveCount: 5 },
    });
    this.uploadBucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      this.notificationsTo(this.uploadEvents, `arn:${this.partition}:s3:::${this.uploadBucket.bucketName}`),
      {
        prefix: 'uploads/',
      },
    );

    const notificationsHandler = this.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler) {
      acknowledge(
        notificationsHandler,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'CDK-managed custom resource that sets the bucket notification once at deploy time; AWS-managed basic execution role only writes its logs.',
      );
    }

    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: { unit: new cognito.StringAttribute({ minLen: 1, maxLen: 12, mutable: true }) },
      removalPolicy: retain,
    });
    for (const role of Role.options) {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, { userPoolId: this.userPool.userPoolId, groupName: role });
    }
    this.hostedUi = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: hostedUiPrefix(props.config) },
      managedLoginVersion: cognito.ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });
    // For SRP sign-in by tools and scripts; the pages use the hosted UI through their own client (AppStack).
    this.userPoolClient = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      preventUserExistenceErrors: true,
      readAttributes: new cognito.ClientAttributes().withCustomAttributes('unit').withStandardAttributes({ email: true }),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
    });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, description: 'Where admins create users (docs/deployment.md)' });
  }

  /**
   * The upload bucket's notifications into a queue encrypted with the customer key: the queue policy lets
   * S3 send for this bucket only, and the key policy lets S3 use the key for it (GenerateDataKey, Decrypt).
   * Instead of s3n.SqsDestination, whose key statement names the bucket by reference: the bucket is
   * encrypted with the same key, so that reference would make a cycle. The bucket is named by its name.
   */
  private notificationsTo(queue: sqs.Queue, bucketArn: string): s3.IBucketNotificationDestination {
    const s3Service = new iam.ServicePrincipal('s3.amazonaws.com');
    return {
      bind: () => {
        queue.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [s3Service],
            actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
            resources: [queue.queueArn],
            conditions: { ArnLike: { 'aws:SourceArn': bucketArn }, StringEquals: { 'aws:SourceAccount': this.account } },
          }),
        );
        this.key.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: 'S3NotificationsToEncryptedQueue',
            principals: [s3Service],
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: ['*'],
          }),
        );
        return { arn: queue.queueArn, type: s3.BucketNotificationDestinationType.QUEUE, dependencies: [queue] };
      },
    };
  }
}
