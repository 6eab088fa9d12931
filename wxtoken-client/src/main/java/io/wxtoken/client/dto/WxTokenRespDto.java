package io.wxtoken.client.dto;

/**
 * Authing's response envelope, {@code {statusCode, message, apiCode, requestId, data}}, as every
 * wxtoken endpoint answers it.
 *
 * <p>The client returns a response only when {@code statusCode} is 200 (then {@code apiCode} is
 * null and {@code data} is set); any other answer is thrown as a
 * {@link io.wxtoken.client.WxTokenException} carrying the same fields.
 *
 * <p>A mutable bean, like Authing's DTOs: safe to share once it no longer changes.
 *
 * @param <T> the type of {@code data}
 */
public abstract class WxTokenRespDto<T> {
  private Integer statusCode;
  private String message;
  private Integer apiCode;
  private String requestId;
  private T data;

  WxTokenRespDto() {
  }

  /**
   * @return Authing's status class; 200 means success
   */
  public Integer getStatusCode() {
    return statusCode;
  }

  /**
   * @param statusCode Authing's status class
   */
  public void setStatusCode(Integer statusCode) {
    this.statusCode = statusCode;
  }

  /**
   * @return the server's message ({@code 操作成功} on success)
   */
  public String getMessage() {
    return message;
  }

  /**
   * @param message the server's message
   */
  public void setMessage(String message) {
    this.message = message;
  }

  /**
   * @return wxtoken's detailed error code, or null on success
   */
  public Integer getApiCode() {
    return apiCode;
  }

  /**
   * @param apiCode wxtoken's detailed error code
   */
  public void setApiCode(Integer apiCode) {
    this.apiCode = apiCode;
  }

  /**
   * @return the request's id, as the server logged it
   */
  public String getRequestId() {
    return requestId;
  }

  /**
   * @param requestId the request's id
   */
  public void setRequestId(String requestId) {
    this.requestId = requestId;
  }

  /**
   * @return the answer's data
   */
  public T getData() {
    return data;
  }

  /**
   * @param data the answer's data
   */
  public void setData(T data) {
    this.data = data;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{statusCode=" + statusCode + ", message=" + message
        + ", apiCode=" + apiCode + ", requestId=" + requestId + ", data=" + data + "}";
  }
}
