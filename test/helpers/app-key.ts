import { generateKeyPairSync } from "node:crypto";

/** A throwaway RSA key for the test app (Probot signs app JWTs with it; nobody verifies). */
export const TEST_PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs1",
  format: "pem",
}) as string;
export const TEST_APP_ID = 4242;
export const TEST_WEBHOOK_SECRET = "test-webhook-secret";
