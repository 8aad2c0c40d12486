# cnn: the baseline CNN of most Fashion-MNIST studies (225,034 parameters); test 0.9156 in Keras.
# Variants studied: kernel=7 for the first conv, activation=sigmoid, --set optimizer=sgd; the
# searches' filters, hidden units and dropout rates are variables too (gpufm sweep --grid filters=32,64).
let kernel = 3
let activation = relu
let filters = 32
let units = 128
let dropout = 0.25
let dense_dropout = 0.5

input 28x28x1
conv2d $filters $kernel $activation
maxpool 2
dropout $dropout
conv2d 64 3x3 $activation
maxpool 2
dropout $dropout
flatten
dense $units $activation
dropout $dense_dropout
dense 10 softmax

train:
  loss crossentropy
  optimizer adam lr=0.001
  batch 128
  epochs 10
  validation 0.1
