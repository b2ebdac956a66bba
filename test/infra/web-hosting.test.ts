/**
 * The pages on AWS (issue 8): private bucket behind CloudFront with Origin Access Control, strict security
 * headers, web/ deployed with a generated config.js, and the Cognito app client for the hosted UI.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, type CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { cdkContext } from '../../infra/config.js';

let built: ReturnType<typeof buildApp>;
let app: Template;
let stateful: Template;
let ids: { distribution: string; bucket: string; client: string; headers: string; api: string };

beforeAll(() => {
  built = buildApp(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } }));
  app = Template.fromStack(built.appStack);
  stateful = Template.fromStack(built.stateful);
  const id = (c: { node: { defaultChild?: unknown } }) => built.appStack.getLogicalId(c.node.defaultChild as CfnResource);
  const web = built.appStack.web;
  ids = { distribution: id(web.distribution), bucket: id(web.bucket), client: id(web.client), headers: id(web.headers), api: id(built.appStack.api) };
}, 120_000);

/** `https://<distribution domain>/` as CloudFormation writes it. */
const distributionUrl = () => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [ids.distribution, 'DomainName'] }, '/']] });

/** A `Fn::Join` rendered with tokens named, e.g. `connect-src 'self' <Api.ApiEndpoint> …`. */
function joined(value: any): string {
  if (typeof value === 'string') return value;
  const [, parts] = value['Fn::Join'] as [string, any[]];
  return parts
    .map((p) => {
      if (typeof p === 'string') return p;
      if (p['Fn::GetAtt']) return `<${p['Fn::GetAtt'].join('.')}>`;
      if (p.Ref) return `<${p.Ref}>`;
      if (p['Fn::ImportValue']) return `<import:${p['Fn::ImportValue']}>`;
      return JSON.stringify(p);
    })
    .join('');
}

describe('pages hosting', () => {
  it('serves a private bucket through CloudFront with Origin Access Control, HTTPS only, index.html at the root', () => {
    const dist = app.findResources('AWS::CloudFront::Distribution')[ids.distribution]!.Properties.DistributionConfig;
    expect(dist.DefaultRootObject).toBe('index.html');
    expect(dist.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], ResponseHeadersPolicyId: { Ref: ids.headers } });
    expect(dist.Origins).toHaveLength(1);
    const origin = dist.Origins[0];
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [ids.bucket, 'RegionalDomainName'] });
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' }); // no legacy OAI
    const oacId = origin.OriginAccessControlId['Fn::GetAtt'][0];
    expect(app.findResources('AWS::CloudFront::OriginAccessControl')[oacId]!.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(dist.Logging).toEqual({ Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^WebLogs/), 'RegionalDomainName'] }, Prefix: 'cloudfront/' });
  });

  it('keeps the bucket private: public access blocked, readable only by this distribution, SSL only', () => {
    const bucket = app.findResources('AWS::S3::Bucket')[ids.bucket]!;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    const policy = Object.values(app.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === ids.bucket)!;
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    // Reads by CloudFront, for this distribution only (the deployment writes through its IAM role).
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' });
    expect(JSON.stringify(allows[0].Condition)).toContain(ids.distribution);
    expect(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
  });

  it('sends strict security headers: CSP naming only the API, the hosted UI, the upload and archive buckets; HSTS; nosniff; DENY', () => {
    const cfg = app.findResources('AWS::CloudFront::ResponseHeadersPolicy')[ids.headers]!.Properties.ResponseHeadersPolicyConfig;
    const sec = cfg.SecurityHeadersConfig;
    const csp = Object.fromEntries(
      joined(sec.ContentSecurityPolicy.ContentSecurityPolicy)
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(sec.ContentSecurityPolicy.Override).toBe(true);
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    const connect = csp['connect-src'] as string[];
    expect(connect).toHaveLength(4);
    expect(connect[0]).toBe("'self'");
    expect(connect[1]).toBe(`<${ids.api}.ApiEndpoint>`);
    expect(connect[2]).toMatch(/^https:\/\/<import:HoTich-local-Stateful:ExportsOutputRefUsersHostedUi[A-Za-z0-9]+>\.auth\.ap-southeast-1\.amazoncognito\.com$/);
    expect(connect[3]).toBe('https://hotich-local-uploads-<AWS::AccountId>-ap-southeast-1.s3.ap-southeast-1.amazonaws.com');
    expect(csp['frame-src']).toEqual(['https://hotich-local-archive-<AWS::AccountId>-ap-southeast-1.s3.ap-southeast-1.amazonaws.com']);
    for (const values of Object.values(csp) as string[][]) {
      expect(values.join(' ')).not.toMatch(/\*|'unsafe-inline'|'unsafe-eval'|http:/);
    }
    expect(sec.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true });
    expect(sec.ContentTypeOptions).toEqual({ Override: true });
    expect(sec.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(sec.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
  });

  it('deploys web/ and a generated config.js naming the API and the hosted-UI sign-in, then invalidates the edge', () => {
    const deployments = Object.values(app.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    const d = deployments[0]!.Properties;
    expect(d.DestinationBucketName).toEqual({ Ref: ids.bucket });
    expect(d.DistributionId).toEqual({ Ref: ids.distribution });
    expect(d.DistributionPaths).toEqual(['/*']);
    expect(d.Prune).toBe(true);
    expect(d.SourceObjectKeys).toHaveLength(2);
    const markers = d.SourceMarkers[1] as Record<string, unknown>;
    expect(Object.values(markers)).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [ids.api, 'ApiEndpoint'] }, { Ref: ids.client }, { 'Fn::GetAtt': [ids.distribution, 'DomainName'] }]),
    );
  });

  it('generates config.js for the cognito provider with the API URL, hosted-UI domain, client id and redirect URI', () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'hotich-web-'));
    try {
      const b = buildApp(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] }, outdir }));
      b.app.synth({ skipValidation: true });
      // Source.data stages config.js as its own asset directory.
      const data = readdirSync(outdir, { withFileTypes: true }).filter((f) => f.isDirectory() && f.name.startsWith('asset.')).map((f) => f.name);
      const configDir = data.find((d) => readdirSync(path.join(outdir, d)).join() === 'config.js');
      expect(configDir).toBeDefined();
      const config = readFileSync(path.join(outdir, configDir!, 'config.js'), 'utf8');
      expect(config).toMatch(/^window\.HOTICH_API = "<<marker:0xbaba:0>>";$/m);
      const auth = JSON.parse(/^window\.HOTICH_AUTH = (.*);$/m.exec(config)![1]!);
      expect(auth).toEqual({ provider: 'cognito', domain: 'https://<<marker:0xbaba:1>>.auth.ap-southeast-1.amazoncognito.com', clientId: '<<marker:0xbaba:2>>', redirectUri: 'https://<<marker:0xbaba:3>>/' });
      // The web/ asset carries the pages but not the hand-written local config.js.
      const pagesDir = data.find((d) => readdirSync(path.join(outdir, d)).includes('index.html'));
      expect(readdirSync(path.join(outdir, pagesDir!)).sort()).toEqual(['favicon.svg', 'index.html', 'js', 'styles.css']);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('sign-in for the pages (Cognito hosted UI)', () => {
  it('has a hosted-UI domain whose prefix comes from the stage', () => {
    stateful.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'sohoa-hotich-local' });
  });

  it('gives the pages a public client: authorization code only (PKCE), no secret, no implicit grant, no direct password flows', () => {
    const client = app.findResources('AWS::Cognito::UserPoolClient')[ids.client]!.Properties;
    expect(client.GenerateSecret).toBe(false);
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.AllowedOAuthScopes.sort()).toEqual(['email', 'openid', 'profile']);
    expect(client.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(client.CallbackURLs).toEqual([distributionUrl()]);
    expect(client.LogoutURLs).toEqual([distributionUrl()]);
    expect(client.ReadAttributes).toEqual(expect.arrayContaining(['custom:unit', 'email']));
  });

  it('lets the API accept the pages’ ID tokens (JWT audience) and allows the pages’ methods through CORS', () => {
    const authorizer = Object.values(app.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!.Properties;
    expect(authorizer.AuthorizerType).toBe('JWT');
    expect(authorizer.JwtConfiguration.Audience).toContainEqual({ Ref: ids.client });
    const cors = app.findResources('AWS::ApiGatewayV2::Api')[ids.api]!.Properties.CorsConfiguration;
    expect(cors.AllowMethods.sort()).toEqual(['GET', 'PATCH', 'POST', 'PUT']);
    expect(cors.AllowHeaders).toEqual(['authorization', 'content-type']);
    expect(cors.AllowOrigins).toEqual(['*']);
  });

  it('adds configured page URLs as callbacks and narrows CORS of the API and the upload bucket to them', () => {
    const b = buildApp(new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], webUrls: 'https://sohoa.example.gov.vn/,https://d111.cloudfront.net/' } }));
    const t = Template.fromStack(b.appStack);
    const client = Object.values(t.findResources('AWS::Cognito::UserPoolClient'))[0]!.Properties;
    expect(client.CallbackURLs).toEqual([expect.anything(), 'https://sohoa.example.gov.vn/', 'https://d111.cloudfront.net/']);
    const origins = ['https://sohoa.example.gov.vn', 'https://d111.cloudfront.net'];
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.objectLike({ AllowOrigins: origins }) });
    const s = Template.fromStack(b.stateful);
    s.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('uploads')])]) }),
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: origins, AllowedMethods: ['POST', 'PUT', 'GET'], ExposedHeaders: ['ETag'] })] },
    });
  });
});
