/**
 * The advisor library: SQL fingerprints and N+1 detection ({@code nplusone}); query analysis and
 * index advice join it with their issues. Plain Java, no Spring.
 */
package io.chronoperf.advisor;
