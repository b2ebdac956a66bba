import MailComposer from 'nodemailer/lib/mail-composer';

/** A short Vietnamese notice with an optional attachment, as raw MIME (sent with `sendRawEmail`). */
export async function buildNoticeEmail(input: {
  from: string;
  to: readonly string[];
  subject: string;
  lines: readonly string[];
  attachment?: { fileName: string; contentType: string; content: Buffer };
  messageId?: string;
}): Promise<Buffer> {
  const text = [...input.lines, '', 'Thư được gửi tự động từ hệ thống số hóa sổ hộ tịch; vui lòng không trả lời thư này.'].join('\n');
  const composer = new MailComposer({
    from: input.from,
    to: [...input.to],
    subject: input.subject,
    text,
    ...(input.messageId ? { messageId: input.messageId } : {}),
    attachments: input.attachment ? [{ filename: input.attachment.fileName, content: input.attachment.content, contentType: input.attachment.contentType }] : [],
  });
  return composer.compile().build();
}
