package org.sparkamm.local;

/**
 * One term {@code op(A) op(B)} of {@link ComputeBackend#dgemmSum}: op(A) is m x k and op(B) k x n for
 * the sum's m and n, element (i, j) of a matrix X at {@code x[offX + i + j * ldX]}, as in dgemm.
 */
public record GemmTerm(boolean transA, boolean transB, int k, double[] a, int offA, int lda, double[] b, int offB, int ldb) {}
