import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

export interface WebHostingProps {
  /** The pages' directory (`web/`), deployed as is except its `config.js`, which is generated. */
  webDir: string;
  /** The HTTP API's endpoint, `https://{id}.execute-api.{region}.amazonaws.com` (no trailing slash). */
  apiUrl: string;
  userPool: cognito.IUserPool;
  /** The hosted-UI domain the pages redirect to for sign-in. */
  hostedUi: cognito.UserPoolDomain;
  /** Buckets the browser talks to directly: uploads (POST/PUT), the archive (presigned GET in a frame). */
  uploadBucketName: string;
  archiveBucketName: string;
  /** Extra page URLs (custom domain…): more callback and sign-out URLs for the app client. */
  extraUrls: string[];
  /** `local` deletes the buckets with the stack; any other stage keeps them. */
  removalPolicy: RemovalPolicy;
}

/**
 * The pages on AWS: a private S3 bucket read only by CloudFront (Origin Access Control), HTTPS only,
 * strict security headers, `web/` deployed with a generated `config.js`, and the Cognito app client the
 * pages sign in with (authorization code + PKCE through the hosted UI, no secret).
 *
 * It lives in the stack that owns the HTTP API because the three name each other: the headers policy's
 * CSP names the API, the app client's callback is the distribution's URL, and the API's JWT authorizer
 * must accept that client's tokens (docs/decisions.md).
 */
export class WebHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly client: cognito.UserPoolClient;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  readonly deployment: s3deploy.BucketDeployment;
  /** `https://{distribution domain}/`: the pages' URL and the sign-in callback. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const s3Origin = (bucket: string) => `https://${bucket}.s3.${region}.amazonaws.com`;

    // CloudFront standard logs need ACLs on their bucket (the log delivery writes with an ACL); the
    // bucket is private and also receives the pages bucket's server access logs.
    const logs_ = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      versioned: true,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
    });
    acknowledge(logs_, 'AwsSolutions-S1', 'This is the access-log bucket of the pages and their distribution; logging it into itself would loop.');

    // S3-managed encryption: the bucket holds only the pages' public code (no data), and OAC reads it
    // without a KMS key policy for CloudFront.
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: logs_,
      serverAccessLogsPrefix: 'bucket/',
      removalPolicy: props.removalPolicy,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    });

    const hostedUiOrigin = props.hostedUi.baseUrl();
    // No inline script or style in the pages, so 'self' suffices for code; the browser talks to the API,
    // the hosted UI's token endpoint and the upload bucket, and frames presigned scans of the archive.
    const csp = [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "manifest-src 'self'",
      `connect-src 'self' ${props.apiUrl} ${hostedUiOrigin} ${s3Origin(props.uploadBucketName)}`,
      `frame-src ${s3Origin(props.archiveBucketName)}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
      'upgrade-insecure-requests',
    ].join('; ');
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Pages: strict CSP, HSTS, no sniffing, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The sign-in callback carries the authorization code in the address: never send it on.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()', override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Số hóa sổ hộ tịch: pages',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200, // includes edge locations in Vietnam
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      enableLogging: true,
      logBucket: logs_,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;

    // Authorization code with PKCE from a public client (no secret: it would be readable in the pages).
    // The ID token is the API's bearer token: it carries cognito:groups (the role) and custom:unit.
    const urls = [this.url, ...props.extraUrls];
    this.client = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      generateSecret: false,
      // Only the hosted UI signs in (password + TOTP there); no direct password, SRP or custom flows here.
      authFlows: { userPassword: false, userSrp: false, custom: false },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: urls,
        logoutUrls: urls,
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      readAttributes: new cognito.ClientAttributes().withCustomAttributes('unit').withStandardAttributes({ email: true, fullname: true }),
      writeAttributes: new cognito.ClientAttributes(),
    });

    // The pages' origin: public static code, no data; the data are behind the JWT-authorised, throttled API.
    const distribution = this.distribution.node.defaultChild!;
    acknowledge(distribution, 'AwsSolutions-CFR1', 'No geo restriction: the pages are public static code without data, and where a signed-in official is (on mission, ops abroad) says nothing about their rights; data stay behind the authenticated API.');
    acknowledge(distribution, 'AwsSolutions-CFR2', 'No WAF on the pages: GET/HEAD of cached static files only; sign-in is Cognito’s hosted UI with its threat protection, and the API is JWT-authorised and throttled. A CloudFront web ACL (us-east-1) can be added with a custom domain.');
    acknowledge(distribution, 'AwsSolutions-CFR4', 'The default *.cloudfront.net certificate does not allow raising the minimum viewer TLS version; a custom domain with its ACM certificate would set TLSv1.2_2021 (docs/deployment.md). Browsers negotiate TLS 1.2+ anyway.');

    const config = [
      '// Generated by the CDK app (infra/constructs/web-hosting.ts) at deployment: API and sign-in of this stage.',
      `window.HOTICH_API = ${JSON.stringify(props.apiUrl)};`,
      `window.HOTICH_AUTH = ${JSON.stringify({ provider: 'cognito', domain: hostedUiOrigin, clientId: this.client.userPoolClientId, redirectUri: this.url })};`,
      '',
    ].join('\n');
    // Own role instead of the AWS-managed basic execution role: logs go to the deployment's group only.
    const deploymentLogs = new logs.LogGroup(this, 'DeploymentLogs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    const deploymentRole = new iam.Role(this, 'DeploymentRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    deploymentLogs.grantWrite(deploymentRole);
    this.deployment = new s3deploy.BucketDeployment(this, 'Pages', {
      destinationBucket: this.bucket,
      sources: [s3deploy.Source.asset(props.webDir, { exclude: ['config.js', 'tsconfig.json'] }), s3deploy.Source.data('config.js', config)],
      // Unhashed ES modules: browsers revalidate (ETag) and a deployment invalidates the edge caches.
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
      logGroup: deploymentLogs,
      role: deploymentRole,
    });
    // The deployment's handler is a CDK-managed singleton function at the stack's root.
    const handler = Stack.of(this).node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler) {
      acknowledge(handler, 'AwsSolutions-L1', 'CDK-managed BucketDeployment handler: its runtime is fixed by aws-cdk-lib and moves with CDK upgrades.');
      acknowledge(handler, 'Serverless-LambdaLatestVersion', 'CDK-managed BucketDeployment handler: its runtime is fixed by aws-cdk-lib and moves with CDK upgrades.');
      acknowledge(handler, 'Serverless-LambdaTracing', 'CDK-managed BucketDeployment handler run by CloudFormation at deploy time only; its log group is kept, tracing adds nothing.');
      acknowledge(handler, 'Serverless-LambdaDLQ', 'Invoked by CloudFormation during a deployment: a failure fails and rolls back the deployment, where the operator sees it; a dead-letter queue would add nothing.');
    }
  }
}
